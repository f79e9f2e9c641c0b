import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';

export function EventLog() {
  const events = useApp(selectors.events);
  return (
    <section className="panel log" aria-labelledby="log-title">
      <h2 id="log-title">Activity</h2>
      {events.length === 0 ? (
        <p className="hint">Nothing yet. Requests from machines appear here as they boot.</p>
      ) : (
        <ol className="events">
          {events
            .slice(-200)
            .reverse()
            .map((e) => (
              <li key={e.seq} className={e.level}>
                <time>{new Date(e.ts).toLocaleTimeString()}</time>
                <span className="svc">{e.service}</span>
                {e.mac && <span className="mac">{e.mac}</span>}
                <span className="msg">{e.msg}</span>
              </li>
            ))}
        </ol>
      )}
    </section>
  );
}
