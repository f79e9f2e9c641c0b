/**
 * The app's screens, in tab order. Each feature owns its screen component; this table is the only place the
 * app shell learns about them (a feature adds one line here).
 */
import type { ComponentType } from 'react';
import { SetupScreen } from '../features/setup/components/SetupScreen.tsx';

export interface Screen {
  id: string;
  label: string;
  component: ComponentType;
}

export const SCREENS: readonly Screen[] = [{ id: 'setup', label: 'Setup', component: SetupScreen }];
