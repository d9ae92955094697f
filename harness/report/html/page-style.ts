// The report's stylesheet, inlined so the file works offline and alone. Light colours only: they are
// chosen for contrast (text at least 4.5:1 on its background), and status never relies on colour alone.
export const pageStyle = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --subtle: #f6f8fa; --border: #d1d9e0;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --passed: #1a7f37; --passed-bg: #dafbe1; --passed-fg: #116329;
  --failed: #cf222e; --failed-bg: #ffebe9; --failed-fg: #a40e26;
  --error: #bf8700; --error-bg: #fff8c5; --error-fg: #6c4400;
  --skipped: #8c959f; --skipped-bg: #eaeef2; --skipped-fg: #424a53;
  --interrupted: #8250df; --interrupted-bg: #fbefff; --interrupted-fg: #6639ba; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--subtle); }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
code, pre, .experiment-id, .command, .step-title { font-family: var(--mono); }
code { font-size: 0.92em; overflow-wrap: anywhere; }
a { color: #0550ae; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.page-header { background: var(--bg); border-bottom: 1px solid var(--border); padding: 18px 0 16px; }
.page-header h1 { margin: 0 0 12px; font-size: 1.6rem; display: flex; flex-wrap: wrap; align-items: center; gap: 10px; }
.page-header h1 .badge { font-size: 0.95rem; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; align-items: stretch; }
.count { min-width: 104px; padding: 6px 14px; border: 1px solid var(--border); border-left: 5px solid var(--skipped); border-radius: 8px; background: var(--bg); }
.count .n { display: block; font-size: 1.55rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.count.status-passed { border-left-color: var(--passed); } .count.status-failed { border-left-color: var(--failed); }
.count.status-error { border-left-color: var(--error); } .count.status-interrupted { border-left-color: var(--interrupted); }
.count.score { min-width: 190px; }
.count.score meter { width: 100%; height: 10px; }
.run-meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 14px 0 0; }
.run-meta div { display: flex; gap: 6px; }
.run-meta dt { color: var(--muted); } .run-meta dd { margin: 0; font-weight: 600; }
.programs { margin: 10px 0 0; } .programs summary { cursor: pointer; color: var(--muted); }

.filters { position: sticky; top: 0; z-index: 10; background: rgba(246, 248, 250, 0.96); border-bottom: 1px solid var(--border); backdrop-filter: blur(4px); }
.filters .wrap { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; padding-top: 10px; padding-bottom: 10px; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.filters legend { float: left; margin-right: 6px; font-weight: 600; }
.toggle { display: inline-flex; align-items: center; gap: 5px; padding: 3px 10px 3px 7px; border: 1px solid var(--border); border-radius: 999px; background: var(--bg); cursor: pointer; font-size: 0.9rem; }
.toggle:has(input:not(:checked)) { opacity: 0.6; text-decoration: line-through; }
.toggle:has(input:focus-visible) { outline: 3px solid #0969da; outline-offset: 1px; }
.search { display: flex; align-items: center; gap: 6px; font-weight: 600; }
.search input { font: inherit; font-weight: 400; padding: 4px 10px; border: 1px solid #8c959f; border-radius: 6px; width: min(300px, 70vw); }
.filters button { font: inherit; font-size: 0.9rem; padding: 3px 10px; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
.filters button:hover { background: var(--subtle); }
.shown-count { color: var(--muted); margin-left: auto; }

main { padding: 8px 0 40px; }
.group h2 { font-size: 1.25rem; margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
.group-stats { font-size: 0.9rem; font-weight: 400; color: var(--muted); margin-left: 8px; }
.empty-note { padding: 24px; text-align: center; color: var(--muted); }

.badge { display: inline-flex; gap: 4px; align-items: center; padding: 1px 9px; border-radius: 999px; border: 1px solid; font-size: 0.8rem; font-weight: 600; white-space: nowrap; line-height: 1.5; }
.badge.status-passed { color: var(--passed-fg); background: var(--passed-bg); border-color: var(--passed); }
.badge.status-failed { color: var(--failed-fg); background: var(--failed-bg); border-color: var(--failed); }
.badge.status-error { color: var(--error-fg); background: var(--error-bg); border-color: var(--error); }
.badge.status-skipped { color: var(--skipped-fg); background: var(--skipped-bg); border-color: var(--skipped); }
.badge.status-interrupted { color: var(--interrupted-fg); background: var(--interrupted-bg); border-color: var(--interrupted); }

.experiment { background: var(--bg); border: 1px solid var(--border); border-left: 5px solid var(--skipped); border-radius: 8px; margin: 10px 0; }
.experiment.status-passed { border-left-color: var(--passed); } .experiment.status-failed { border-left-color: var(--failed); }
.experiment.status-error { border-left-color: var(--error); } .experiment.status-interrupted { border-left-color: var(--interrupted); }
.experiment > summary { padding: 10px 14px; cursor: pointer; border-radius: 8px; }
.experiment > summary:hover { background: var(--subtle); }
.summary-line { display: inline-flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; width: calc(100% - 24px); vertical-align: top; }
.experiment-id { font-weight: 600; font-size: 0.92rem; }
.experiment-title { flex: 1 1 16em; }
.experiment-numbers { display: inline-flex; gap: 14px; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.points { font-weight: 600; color: var(--fg); }
.experiment-body { padding: 4px 18px 16px; border-top: 1px solid var(--border); }
.experiment-body h3 { font-size: 1.05rem; margin: 18px 0 8px; }
.capture h4, .explain h4, .explain h5, .explain h6 { font-size: 0.95rem; margin: 14px 0 6px; }
.details { border-left: 3px solid var(--border); padding: 2px 0 2px 12px; margin: 10px 0; }
.details h5 { font-size: 0.9rem; margin: 4px 0 6px; }
.details .exchange p, .details p { margin: 4px 0; }
.dialogs { margin: 4px 0; padding-left: 22px; }
table.compact td, table.compact th { padding: 2px 8px; }
.meta { font-size: 0.9rem; }
.tag { display: inline-block; padding: 0 7px; border-radius: 999px; background: #ddf4ff; color: #0a3069; font-size: 0.85rem; }
.explain { border-left: 3px solid #54aeff; background: #f3f9ff; padding: 2px 14px; border-radius: 0 6px 6px 0; }
.explain h3:first-child { margin-top: 10px; }
.md-image { color: var(--muted); font-style: italic; }

.harness-error, .capture-status.capture-skipped, .capture-status.capture-failed { background: var(--error-bg); color: var(--error-fg); border: 1px solid #d4a72c; border-left: 5px solid var(--error); padding: 8px 12px; border-radius: 6px; margin: 10px 0; }
.harness-error code { color: inherit; }
.skip-reason { background: var(--skipped-bg); color: var(--skipped-fg); padding: 6px 12px; border-radius: 6px; }

.steps { list-style: none; padding: 0; margin: 0; }
.step { border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; margin: 8px 0; }
.step.status-failed { border-color: #ff8182; } .step.status-error { border-color: #d4a72c; }
.step-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px; }
.step-title { margin: 0; font-size: 0.95rem; overflow-wrap: anywhere; }
.step-time { font-size: 0.85rem; margin-left: auto; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 14px; margin: 10px 0; font-size: 0.92rem; }
.facts dt { color: var(--muted); font-weight: 600; }
.facts dd { margin: 0; min-width: 0; }
.notes { margin: 0; padding-left: 18px; }

pre { font-family: var(--mono); font-size: 13px; line-height: 1.45; background: var(--subtle); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; margin: 4px 0 8px; max-height: 30em; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.ctl { background: #fff1e5; color: #953800; border-radius: 3px; padding: 0 1px; }
.output { margin: 6px 0; font-size: 0.9rem; }
.output > summary { cursor: pointer; }
.stream { font-family: var(--mono); font-weight: 700; }
.truncated { color: var(--error-fg); background: var(--error-bg); padding: 2px 8px; border-radius: 4px; margin: 4px 0; }

.table-scroll { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; background: var(--bg); }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--border); }
th { background: var(--subtle); font-weight: 600; }
td code { overflow-wrap: normal; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre.value { margin: 0; padding: 0; background: none; border: 0; max-height: 12em; }
tr.not-ok > td { background: #fff8f8; }
tr.detail > td { border-top: 0; }
.mark-ok { color: var(--passed-fg); font-weight: 600; white-space: nowrap; }
.mark-fail { color: var(--failed-fg); font-weight: 600; white-space: nowrap; }
.message { margin: 0 0 6px; }
.diff { margin: 0; }
.diff figcaption { font-size: 0.85rem; display: flex; gap: 12px; }
.diff pre { background: var(--bg); padding: 4px 0; }
.diff pre span { display: block; padding: 0 10px; }
.diff-removed { background: #ffebe9; color: #82071e; }
.diff-added { background: #dafbe1; color: #044f1e; }
.diff-same { color: var(--muted); }
.diff figcaption span { padding: 0 6px; border-radius: 4px; font-family: var(--mono); }

.timings > summary, .packets > summary { cursor: pointer; font-weight: 600; margin: 12px 0 4px; }
.timing-bar .track { fill: #eaeef2; }
.timing-bar .bar { fill: #8c959f; } .timing-bar .bar.status-passed { fill: var(--passed); }
.timing-bar .bar.status-failed { fill: var(--failed); } .timing-bar .bar.status-error { fill: var(--error); }

.capture { border-top: 1px dashed var(--border); margin-top: 16px; }
.events { margin: 0; padding-left: 22px; }
.events li { margin: 2px 0; }
.events .event-refused, .events .event-port-unreachable, .events .event-reset { color: var(--failed-fg); font-weight: 600; }
.events .muted { font-weight: 400; }
.ladder-figure { margin: 10px 0; }
.ladder-figure figcaption { font-size: 0.85rem; color: var(--muted); margin-bottom: 4px; }
.ladder-scroll { overflow-x: auto; background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 6px; }
.ladder { display: block; }
.ladder .packet:hover .label { font-weight: 700; }

.by-hand { border-top: 1px dashed var(--border); margin-top: 16px; }
.hand-terminals { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr)); gap: 10px; }
.hand-terminal { border: 1px solid var(--border); border-radius: 6px; padding: 6px 10px; min-width: 0; }
.hand-terminal h4 { margin: 2px 0 6px; font-size: 0.95rem; }
.hand-steps { list-style: none; margin: 0; padding: 0; }
.hand-steps li { margin: 6px 0; }
.hand-step { font-size: 0.8rem; font-weight: 600; color: var(--muted); }
.hand-command { display: flex; gap: 6px; align-items: flex-start; background: #1f2328; color: #f0f3f6; border-radius: 6px; padding: 6px 8px; }
.hand-command code { flex: 1; white-space: pre-wrap; overflow-wrap: anywhere; color: inherit; }
.hand-command .copy { font: inherit; font-size: 0.8rem; padding: 1px 8px; border: 1px solid #8c959f; border-radius: 5px; background: #f6f8fa; color: var(--fg); cursor: pointer; }
.hand-steps p { margin: 2px 0 0; font-size: 0.85rem; }

@media (max-width: 700px) {
  body { font-size: 14px; }
  .wrap { padding: 0 10px; }
  .facts { grid-template-columns: minmax(0, 1fr); }
  .facts dd { margin-bottom: 6px; }
  .experiment-body { padding: 4px 10px 12px; }
  .step-time { margin-left: 0; }
  .shown-count { margin-left: 0; }
  .filters { position: static; }
}
`;
