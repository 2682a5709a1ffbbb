// dynalite 4 ships no types; only what emulators.ts uses (see node_modules/dynalite/index.js).
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    /** LevelDB folder; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    verbose?: boolean;
    debug?: boolean;
  }
  /** An http.Server whose close() also closes the LevelDB store. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
