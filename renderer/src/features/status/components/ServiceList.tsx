import type { ServiceKey } from '../../../../../shared/api/contract.ts';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { SERVICE_LABELS } from '../../../app/wording.ts';

const STATE_TEXT: Record<string, string> = {
  stopped: 'stopped',
  starting: 'starting…',
  running: 'running',
  failed: 'failed',
  disabled: 'off',
  'not-implemented': 'not available yet',
};

export function ServiceList() {
  const status = useApp(selectors.status);
  if (!status) return null;
  return (
    <section className="panel" aria-labelledby="svc-title">
      <h2 id="svc-title">Services</h2>
      <table className="services">
        <tbody>
          {(Object.keys(SERVICE_LABELS) as ServiceKey[]).map((key) => {
            const s = status.services[key];
            return (
              <tr key={key} data-testid={`service-${key}`}>
                <th scope="row">{SERVICE_LABELS[key]}</th>
                <td>
                  <span className={`badge ${s.state}`}>{STATE_TEXT[s.state]}</span>
                </td>
                <td className="detail">{s.detail ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {status.httpUrl && status.services.http.state === 'running' && (
        <p className="hint">
          Boot files will be served from <code>{status.httpUrl}</code>
        </p>
      )}
    </section>
  );
}
