import { EventLog } from '../../events/components/EventLog.tsx';
import { ServiceList } from '../../status/components/ServiceList.tsx';
import { DhcpModePicker } from './DhcpModePicker.tsx';
import { InterfacePicker } from './InterfacePicker.tsx';
import { IsoPanel } from './IsoPanel.tsx';
import { StartStop } from './StartStop.tsx';

/** The first screen: NIC, DHCP mode, ISOs, one button; then the services and what happens, without leaving it. */
export function SetupScreen() {
  return (
    <main className="grid">
      <div className="col">
        <InterfacePicker />
        <DhcpModePicker />
        <IsoPanel />
        <StartStop />
      </div>
      <div className="col">
        <ServiceList />
        <EventLog />
      </div>
    </main>
  );
}
