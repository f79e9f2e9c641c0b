/**
 * A machine's way through one install (CONVENTIONS §4): each stage is reached in this order, with a progress
 * figure for the UI. A machine can fall back (a retried PXE boot starts at `dhcp` again); `local` is every
 * boot after the install finished, until the technician re-arms it.
 */
export const BOOT_STAGES = ['dhcp', 'bootloader', 'config', 'kernel', 'initrd', 'answer', 'installer', 'done', 'local'] as const;
export type BootStage = (typeof BOOT_STAGES)[number];

export const STAGE_TEXT: Record<BootStage, string> = {
  dhcp: 'DHCP answered',
  bootloader: 'bootloader loaded',
  config: 'boot config read',
  kernel: 'kernel loaded',
  initrd: 'initrd loaded',
  answer: 'answer file fetched',
  installer: 'installer running (its start callback arrived)',
  done: 'install finished',
  local: 'booting from local disk',
};

/** 0-100 for a progress bar: where `stage` sits on the way to `done`. */
export function stageProgress(stage: BootStage): number {
  const i = BOOT_STAGES.indexOf(stage);
  const done = BOOT_STAGES.indexOf('done');
  return Math.round((Math.min(i, done) / done) * 100);
}
