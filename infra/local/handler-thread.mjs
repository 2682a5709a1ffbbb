// A handler thread's entry (handler-pool.ts): plain JavaScript so that it starts under any parent (node
// with tsx, vitest), then TypeScript through tsx for the handlers. tsx's hooks are this thread's own: a
// parent started with `--import tsx` does not lend them to its workers' module loading on every Node 20.
import { register } from 'tsx/esm/api';

register();
await import('./handler-thread.ts');
