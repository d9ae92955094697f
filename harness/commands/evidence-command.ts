// `socklab evidence`: the hand-in pack. It runs the experiments with packet capture (as `socklab run
// --capture`, its report in OUT/run/), or takes a finished run's folder (`--from reports`), and writes
// into OUT, per experiment, the terminal transcript and the Wireshark-style packet list with the
// conversation's ladder, each as HTML and as a PNG pictured by headless chromium, the pcap, an index.html
// and evidence.json (what was written, with each picture's size).
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { PcapReadError, readPcap } from '../capture/read-pcap.js';
import { buildPacketList } from '../capture/packet-list/build-packet-list.js';
import { summarizePcap } from '../capture/summarize-capture.js';
import { TCPDUMP_NOT_FOUND } from '../capture/tcpdump-messages.js';
import { loadLab } from '../lab/load-lab.js';
import type { ExperimentResult, RunResult } from '../model/result.js';
import { picturePages, type PageToPicture } from '../probes/page-screenshot.js';
import { renderEvidenceIndex, type EvidenceEntry } from '../report/evidence/evidence-index.js';
import { renderPacketPage, tsharkCommand } from '../report/evidence/packet-page.js';
import { renderTerminalPage } from '../report/evidence/terminal-page.js';
import { jsonFileName } from '../report/json.js';
import { writeFileAtomic } from '../report/write-atomic.js';
import { selectExperiments } from '../run/select-experiments.js';
import { runCommand, type RunOptions } from './run-command.js';
import { version } from './common.js';

/** Pictures are this many pixels wide (and as tall as their page). */
export const EVIDENCE_WIDTH = 1280;

export interface EvidenceOptions extends Omit<RunOptions, 'reporter' | 'capture' | 'shard'> {
  /** A finished run's report folder (results.json and the pcaps): make the pack from it instead of running. */
  from?: string;
}

const RUN_ONLY = ['submission', 'isolate', 'sandbox'] as const;

export async function evidenceCommand(args: string[], options: EvidenceOptions): Promise<number> {
  const out = path.resolve(options.out);
  let runExit: number = EXIT_CODES.passed;
  let from = options.from;
  if (from !== undefined) {
    const runOnly = [...RUN_ONLY.filter((name) => options[name] !== undefined && options[name] !== false).map((name) => `--${name}`), ...(options.role.length ? ['--role'] : [])];
    if (runOnly.length > 0) throw new SocklabError('EVIDENCE_FROM_AND_RUN', `${runOnly.join(', ')}: these choose how experiments run, and --from makes the pack from a run that is finished`, EXIT_CODES.specInvalid);
  } else {
    from = path.join(out, 'run');
    runExit = await runCommand(args, { ...options, remote: [], ssh: [], sshOption: [], out: from, capture: true, reporter: ['console', 'json', 'html'] });
    // A wrong spec ran nothing; Ctrl-C means stop, not make a pack of what finished.
    if (runExit === EXIT_CODES.specInvalid || runExit === EXIT_CODES.interrupted) return runExit;
  }
  const run = await readRun(path.resolve(from));
  const experiments = selectExperiments(run.experiments, { ids: options.from !== undefined ? args : [], grep: options.grep, tags: options.tag });
  if (experiments.length === 0) throw new SocklabError('NOTHING_SELECTED', `no experiment of ${path.join(from, jsonFileName)} matches --grep and --tag`, EXIT_CODES.specInvalid);

  await mkdir(out, { recursive: true });
  const madeBy = `socklab ${version} from the run of ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const prompts = labPrompts(options.lab);
  const entries: EvidenceEntry[] = [];
  const pages: PageToPicture[] = [];
  for (const experiment of experiments) {
    const entry = await writeExperimentPages(experiment, path.resolve(from), out, { madeBy, prompts });
    entries.push(entry);
    for (const page of [entry.terminals, entry.packets]) if (page) pages.push({ html: path.join(out, page.html), png: path.join(out, page.html.replace(/\.html$/, '.png')) });
  }
  const pictures = new Map((await picturePages(pages, EVIDENCE_WIDTH)).map((picture) => [path.basename(picture.png), picture]));
  for (const entry of entries) {
    for (const page of [entry.terminals, entry.packets]) {
      if (!page) continue;
      const picture = pictures.get(page.html.replace(/\.html$/, '.png'))!;
      if ('error' in picture) page.pngMissing = picture.error;
      else Object.assign(page, { png: path.basename(picture.png), width: picture.width, height: picture.height });
    }
  }
  await writeFileAtomic(path.join(out, 'index.html'), renderEvidenceIndex({ subject: run.subject, startedAt: run.startedAt, entries, madeBy }));
  await writeFileAtomic(path.join(out, 'evidence.json'), `${JSON.stringify({ version: 1, madeBy, from: path.resolve(from), width: EVIDENCE_WIDTH, experiments: entries }, null, 2)}\n`);
  report(out, entries);
  return runExit;
}

async function readRun(folder: string): Promise<RunResult> {
  const file = path.join(folder, jsonFileName);
  if (!existsSync(file)) {
    throw new SocklabError('NO_RESULTS', `no ${jsonFileName} in ${folder}: give a folder written by socklab run (its --out), or leave out --from to run the experiments`, EXIT_CODES.specInvalid);
  }
  const run = JSON.parse(await readFile(file, 'utf8')) as RunResult;
  if (run.version !== 2 || !Array.isArray(run.experiments)) throw new SocklabError('BAD_RESULTS', `${file} is not a socklab results.json of version 2`, EXIT_CODES.specInvalid);
  return run;
}

/** The lab file's prompts per role (`ignoreOutput`), so that typed input follows them; none when it cannot be read. */
function labPrompts(labFile: string): Record<string, RegExp[]> {
  try {
    const lab = loadLab(labFile);
    return Object.fromEntries(Object.entries(lab.roles).map(([role, definition]) => [role, (definition.ignoreOutput ?? []).map((pattern) => new RegExp(pattern))]));
  } catch {
    return {};
  }
}

async function writeExperimentPages(experiment: ExperimentResult, from: string, out: string, context: { madeBy: string; prompts: Record<string, RegExp[]> }): Promise<EvidenceEntry> {
  const terminals = `${experiment.id}-terminals.html`;
  await writeFileAtomic(path.join(out, terminals), renderTerminalPage(experiment, context));
  const entry: EvidenceEntry = { id: experiment.id, title: experiment.title, status: experiment.status, terminals: { html: terminals } };
  const capture = experiment.capture;
  if (!capture?.pcapFile || capture.status !== 'captured') {
    const reason = capture?.reason ?? (capture?.status === 'skipped' ? TCPDUMP_NOT_FOUND : undefined);
    entry.packetsMissing = !capture
      ? 'no packets were captured in this run (socklab evidence captures them; socklab run needs --capture)'
      : reason && /tcpdump/.test(reason)
        ? `the packet list needs tcpdump: ${reason}`
        : `no packet list: capture ${capture.status}${reason ? `: ${reason}` : ''}`;
    return entry;
  }
  const pcapName = `${experiment.id}.pcap`;
  try {
    const pcap = await readPcap(path.join(from, capture.pcapFile));
    const list = buildPacketList(pcap);
    const summary = summarizePcap(pcap, { endpointNames: capture.endpointNames });
    if (path.resolve(from, capture.pcapFile) !== path.join(out, pcapName)) await copyFile(path.join(from, capture.pcapFile), path.join(out, pcapName));
    const packets = `${experiment.id}-packets.html`;
    await writeFileAtomic(path.join(out, packets), renderPacketPage({ experiment, list, summary, pcapName, madeBy: context.madeBy }));
    entry.packets = { html: packets, pcap: pcapName, tshark: tsharkCommand(pcapName, list), rows: list.rows.length };
  } catch (error) {
    if (!(error instanceof PcapReadError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    entry.packetsMissing = `no packet list: ${(error as Error).message}`;
  }
  return entry;
}

function report(out: string, entries: EvidenceEntry[]): void {
  const pictures = entries.flatMap((entry) => [entry.terminals, ...(entry.packets ? [entry.packets] : [])]);
  const made = pictures.filter((page) => page.png).length;
  const relative = path.relative(process.cwd(), out);
  const shown = relative === '' ? '.' : relative.startsWith('..') ? out : relative;
  process.stdout.write(`\nsocklab: hand-in pack in ${shown}/index.html: ${entries.length} experiment${entries.length === 1 ? '' : 's'}, ${made} of ${pictures.length} pictures\n`);
  const noPicture = pictures.find((page) => page.pngMissing);
  if (noPicture) process.stderr.write(`socklab: warning: ${pictures.length - made} pictures not made: ${noPicture.pngMissing} (the HTML pages are there)\n`);
  for (const entry of entries.filter((candidate) => candidate.packetsMissing)) process.stderr.write(`socklab: ${entry.id}: ${entry.packetsMissing}\n`);
}
