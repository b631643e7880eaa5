import { readFile } from 'node:fs/promises';

/** The CPU niceness of a running process (field 19 of `/proc/<pid>/stat`). */
export async function processNice(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
