/**
 * A child process the durability test kills with SIGKILL mid-write (node --import tsx store-writer.ts '{json}'):
 * it uses the real store, ISO library and profile store on a data folder and prints one JSON line when each
 * write is committed (an acknowledged write), so the test knows what must survive.
 *   {mode: 'index', dataDir, isos: [path...]}   adds each image to the library (indexing it); prints
 *                                               {indexing: path} when indexing starts, {indexed: id, files} when saved
 *   {mode: 'profiles', dataDir, id, from, blob} saves versions of profile `id` forever; prints {saved: version, n}
 */
import { openStore } from '../../electron/core/store/store.ts';
import { createIsoLibrary } from '../../electron/core/iso/library.ts';
import { createProfileStore } from '../../electron/core/answers/profiles.ts';

interface Args {
  mode: 'index' | 'profiles';
  dataDir: string;
  isos?: string[];
  id?: string;
  from?: number;
  blob?: number;
}
const out = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const store = openStore(args.dataDir);

if (args.mode === 'index') {
  const library = createIsoLibrary({ store, emit: (e) => (e.fields?.phase === 'index' && e.fields.path ? out({ indexing: e.fields.path }) : undefined) });
  for (const path of args.isos ?? []) {
    const rec = await library.add(path);
    out({ indexed: rec.id, files: rec.files, path });
  }
  await library.close();
  store.close();
} else {
  const profiles = createProfileStore<{ n: number; blob: string }>(store, {
    validate: (body) => {
      const b = body as { n?: unknown; blob?: unknown };
      if (typeof b.n !== 'number' || typeof b.blob !== 'string' || b.blob !== 'x'.repeat(b.blob.length)) throw new Error('not a test body');
      return { n: b.n, blob: b.blob };
    },
  });
  const exists = profiles.list().some((p) => p.id === args.id);
  for (let n = args.from ?? 1; ; n++) {
    const body = { n, blob: 'x'.repeat(args.blob ?? 100_000) };
    const saved = profiles.save({ ...(exists || n > (args.from ?? 1) ? { id: args.id } : {}), name: args.id!, body, note: `save ${n}` });
    out({ saved: saved.version, n });
    // Let stdout reach the test between saves (a tight loop would starve the pipe).
    if (n % 5 === 0) await new Promise((r) => setImmediate(r));
  }
}
