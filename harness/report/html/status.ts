// Status badges. The word is always written out, so status never depends on colour alone.
import type { ExperimentStatus, StepStatus } from '../../model/result.js';
import { html, type SafeHtml } from './safe-html.js';

export const statusOrder: readonly ExperimentStatus[] = ['passed', 'failed', 'error', 'skipped', 'interrupted'];

export const statusLabels: Record<ExperimentStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  // "error" alone would read as the program's error; this status means the harness could not check it.
  error: 'harness error',
  skipped: 'skipped',
  interrupted: 'interrupted',
};

const statusMarks: Record<ExperimentStatus, string> = { passed: '✓', failed: '✗', error: '!', skipped: '–', interrupted: '■' };

export function statusBadge(status: ExperimentStatus | StepStatus): SafeHtml {
  return html`<span class="badge status-${status}"><span aria-hidden="true">${statusMarks[status]}</span> ${statusLabels[status]}</span>`;
}
