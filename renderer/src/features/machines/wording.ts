/** What the Machines screen calls things. */
import type { MachineSummary } from '../../../../shared/api/contract.ts';
import type { BootStage } from '../../../../shared/model/stage.ts';

/** Short stage names for the table; shared/model/stage.ts STAGE_TEXT says the long form. */
export const STAGE_LABEL: Record<BootStage, string> = {
  dhcp: 'DHCP',
  bootloader: 'Bootloader',
  config: 'Boot config',
  kernel: 'Kernel',
  initrd: 'Initrd',
  answer: 'Answer file',
  installer: 'Installer',
  done: 'Done',
  local: 'Local disk',
};

export const MACHINE_STATE_TEXT: Record<MachineSummary['state'], { label: string; help: string }> = {
  new: { label: 'new', help: 'Seen on the network; nothing assigned: it gets the policy for unknown machines.' },
  armed: { label: 'armed', help: 'Installs its ISO on the next network boot.' },
  installing: { label: 'installing', help: 'Its installer fetched the answer file.' },
  installed: { label: 'installed', help: 'Done: boots from its own disk until re-armed.' },
};
