/**
 * The contract's method and stream names alone, without zod, for the sandboxed preload.
 * contract.ts checks at compile time that these lists match its tables exactly.
 */
export const METHOD_NAMES = ['listInterfaces', 'getSettings', 'setSettings', 'getStatus', 'startServer', 'stopServer', 'recentEvents', 'listIsos', 'addIso', 'removeIso', 'verifyIso', 'listMachines', 'assignMachine', 'rearmMachine', 'markMachineDone', 'removeMachine', 'listLeases', 'findIsos', 'probeDhcp', 'about', 'listProfiles', 'getProfile', 'saveProfile', 'validateProfile', 'renderProfile', 'importAnswerFile', 'profileHistory', 'revertProfile', 'removeProfile', 'exportProfile', 'importProfile'] as const;
export const STREAM_NAMES = ['event', 'status'] as const;
