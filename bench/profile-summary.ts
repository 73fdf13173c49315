/**
 * Summarizes a V8 CPU profile (`--cpu-prof`): where the busy time went, by area (a package,
 * a folder of jobwatch, Node's internals, garbage collection) and by function.
 *
 * Run alone: `node bench/profile-summary.ts FILE.cpuprofile`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The parts of a `.cpuprofile` file this summary reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample, or since `startTime` for the first. */
  timeDeltas: number[];
}

/** Self time of one area or function, in milliseconds and as a share of busy time. */
export interface ProfileEntry {
  name: string;
  ms: number;
  /** Percentage of busy time: all samples except `(idle)`. */
  percent: number;
}

export interface ProfileSummary {
  sampledMs: number;
  busyMs: number;
  areas: ProfileEntry[];
  functions: ProfileEntry[];
}

/** Names the area a function belongs to, from its script URL. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  const project = /\/(src|test|bench)\/([^/]+)\//.exec(url);
  if (project) return `${project[1]}/${project[2]}`;
  const file = /\/(src|test|bench)\/([^/]+)$/.exec(url);
  return file ? `${file[1]}/${file[2]}` : url;
}

function functionLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  const short = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(src|test|bench)\//, '$1/');
  return `${name} ${short}:${lineNumber + 1}`;
}

function ranked(totals: Map<string, number>, busyMs: number, top: number): ProfileEntry[] {
  return [...totals]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, percent: busyMs > 0 ? (ms * 100) / busyMs : 0 }));
}

/**
 * Attributes each sampling interval to the function on top of the stack when it began, as
 * Chrome's profiler panel does, and ranks areas and functions by that self time.
 */
export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let sampledMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (!node) return;
    sampledMs += ms;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    if (area === '(idle)') idleMs += ms;
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const label = functionLabel(node);
    functions.set(label, (functions.get(label) ?? 0) + ms);
  });
  const busyMs = sampledMs - idleMs;
  return { sampledMs, busyMs, areas: ranked(areas, busyMs, top), functions: ranked(functions, busyMs, top) };
}

/** Formats a summary as aligned text lines. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const line = (entry: ProfileEntry): string => `  ${entry.percent.toFixed(1).padStart(5)} %  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}`;
  return [
    `sampled ${(summary.sampledMs / 1000).toFixed(1)} s, busy ${(summary.busyMs / 1000).toFixed(1)} s`,
    'self time by area:',
    ...summary.areas.map(line),
    'self time by function:',
    ...summary.functions.map(line),
  ].join('\n');
}

/** Reads the newest `.cpuprofile` in `dir`, or returns `undefined` when there is none. */
export async function readNewestProfile(dir: string): Promise<{ file: string; profile: CpuProfile } | undefined> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort();
  const newest = names.at(-1);
  if (newest === undefined) return undefined;
  const file = join(dir, newest);
  return { file, profile: JSON.parse(await readFile(file, 'utf8')) as CpuProfile };
}

if (import.meta.main) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile\n');
    process.exit(2);
  }
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatProfileSummary(summarizeProfile(profile))}\n`);
}
