/**
 * The app's screens, in tab order. Each feature owns its screen component; this table is the only place the
 * app shell learns about them (a feature adds one line here).
 */
import type { ComponentType } from 'react';
import { SetupScreen } from '../features/setup/components/SetupScreen.tsx';
import { MachinesScreen } from '../features/machines/components/MachinesScreen.tsx';
import { LeasesScreen } from '../features/leases/components/LeasesScreen.tsx';
import { LogScreen } from '../features/log/components/LogScreen.tsx';
import { AnswersScreenLoader } from '../features/answers/components/AnswersScreenLoader.tsx';
import { SettingsScreen } from '../features/settings/components/SettingsScreen.tsx';

export interface Screen {
  id: string;
  label: string;
  component: ComponentType;
}

export const SCREENS: readonly Screen[] = [
  { id: 'setup', label: 'Setup', component: SetupScreen },
  { id: 'machines', label: 'Machines', component: MachinesScreen },
  { id: 'leases', label: 'Leases', component: LeasesScreen },
  { id: 'log', label: 'Log', component: LogScreen },
  { id: 'answers', label: 'Answer files', component: AnswersScreenLoader },
  { id: 'settings', label: 'Settings', component: SettingsScreen },
];
