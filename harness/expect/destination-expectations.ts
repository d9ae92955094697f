// `destination: told` — whether a program used the host and the port it was told, as its world saw
// it: the names it looked up and the connections socklab caught going elsewhere (a hard-coded
// 'localhost', 'servername' or 12000). Two checks, so that a client reading one of the two from its
// command line earns half (the lab's command-line requirement, `partial: true`). Judged after the step,
// once the world has said what it saw; a program that did not get through fails both.
import type { ExpectationResult, ProcessResult, WorldEvents } from '../model/result.js';
import { verdict as check } from './verdict.js';

export interface ToldDestination {
  hosts: string[];
  ports: number[];
}

export function judgeDestination(process: ProcessResult | undefined, world: WorldEvents | undefined, told: ToldDestination): ExpectationResult[] {
  const host = told.hosts[0];
  const port = told.ports.at(-1);
  // An interactive client stopped by the end of its input (EOFError at input()) ended as a person ends it.
  const through = process !== undefined && process.spawnError === null && !process.timedOut && (process.exitCode === 0 || process.endedAtEndOfInput !== undefined);
  const how = !process ? 'it did not run' : process.spawnError ? process.spawnError.message : process.timedOut ? 'it was still waiting at its timeout' : `it ended with exit code ${process.exitCode ?? process.signal}`;
  const delivered = (world?.delivered ?? []).filter((entry) => !entry.serverMoved);
  const names = [...new Set((world?.lookups ?? []).map((lookup) => lookup.name).filter((name) => name !== host))];
  const otherHost = delivered.filter((entry) => entry.address === 'loopback' || entry.address === 'other');
  const otherPorts = [...delivered.filter((entry) => entry.port !== port).map((entry) => entry.port), ...(world?.watched ?? []).map((entry) => entry.port)];
  const hostActual = names.length > 0 ? `looked up ${names.join(', ')}` : otherHost.length > 0 ? `went to ${otherHost[0].asked}` : through ? `reached ${host}` : `did not get through: ${how}`;
  const portActual = otherPorts.length > 0 ? `used port ${[...new Set(otherPorts)].join(', ')}` : through ? `reached port ${port}` : `did not get through: ${how}`;
  return [
    check('destination.host', through && names.length === 0 && otherHost.length === 0, `the host it was told (${host ?? 'none'})`, hostActual),
    check('destination.port', through && otherPorts.length === 0, `the port it was told (${port ?? 'none'})`, portActual),
  ];
}
