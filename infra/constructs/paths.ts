import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: registry entries and definition files are relative to it, whatever the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function fromRoot(relativePath: string): string {
  return join(REPO_ROOT, relativePath);
}
