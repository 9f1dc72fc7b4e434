// Creates a new embedded database in a folder, in a process of its own: `node pglite-initdb.mjs
// <dir> <start params as JSON>`. Creating one (initdb) takes several times the memory that running
// it does, and a process keeps the memory it once took; the app runs this, waits for it to exit,
// then opens the folder itself. Plain JavaScript, so it runs the same from src/ and dist/.
import { PGlite } from '@electric-sql/pglite';

const [dir, params] = process.argv.slice(2);
if (!dir || !params) {
  process.stderr.write('usage: pglite-initdb.mjs <dir> <start params as JSON>\n');
  process.exit(2);
}
const database = await PGlite.create(dir, { startParams: JSON.parse(params) });
await database.close();
