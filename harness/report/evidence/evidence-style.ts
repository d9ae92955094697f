// The hand-in pack's stylesheet, inlined in each page: terminals on a dark background in monospace, a
// packet list in Wireshark's default colouring rules, a plain index. Pages are made to be pictured
// at a fixed width (evidence-pages.ts), so sizes are in pixels.
export const evidenceStyle = `
* { box-sizing: border-box; }
body { margin: 0; padding: 18px 20px 14px; font: 14px/1.45 system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1f2328; background: #ffffff; }
code, pre, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", ui-monospace, Menlo, Consolas, monospace; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
.sub { color: #59636e; margin: 0 0 12px; }
footer { color: #59636e; font-size: 12px; margin-top: 12px; border-top: 1px solid #d1d9e0; padding-top: 6px; }
.status-passed { color: #116329; } .status-failed, .status-error { color: #a40e26; } .status-skipped, .status-interrupted { color: #59636e; }

.terminal-grid { display: grid; gap: 14px; align-items: start; }
.columns-1 { grid-template-columns: minmax(0, 1fr); } .columns-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); } .columns-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.terminal-column { display: grid; gap: 14px; min-width: 0; }
.terminal { border-radius: 8px; overflow: hidden; background: #1c1c1c; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); min-width: 0; }
.titlebar { display: flex; align-items: center; gap: 7px; background: #303030; color: #e6e6e6; padding: 6px 10px; font-size: 13px; }
.dot { width: 11px; height: 11px; border-radius: 50%; background: #5f5f5f; display: inline-block; }
.dot.close { background: #e95420; }
.titlebar .title { flex: 1; text-align: center; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.screen { margin: 0; padding: 10px 12px 12px; color: #d3d7cf; font-size: 13px; line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere; min-height: 80px; }
.prompt-user { color: #8ae234; font-weight: bold; } .prompt-path { color: #729fcf; font-weight: bold; }
.typed { color: #ffffff; font-weight: bold; }
.stdin { color: #87d7ff; font-weight: bold; }
.stderr { color: #ff9a8c; }
.note { color: #c4a000; font-style: italic; }
.comment { color: #8f9a8c; }
.step-mark { color: #6c7a89; }
.ctl { color: #fcaf3e; }

table.packet-list { border-collapse: collapse; width: 100%; font-size: 12px; font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
.packet-list th { background: #eef1f4; text-align: left; font-weight: 600; padding: 3px 6px; border-bottom: 1px solid #b8c0c8; border-right: 1px solid #d1d9e0; font-family: system-ui, "DejaVu Sans", sans-serif; }
.packet-list td { padding: 1px 6px; white-space: pre; vertical-align: top; color: #12272e; }
.packet-list td.info { white-space: pre-wrap; overflow-wrap: anywhere; }
.packet-list th:not(:last-child), .packet-list td:not(.info) { width: 1%; white-space: nowrap; }
.packet-list .num { text-align: right; }
.tone-tcp td { background: #e7e6ff; } .tone-syn-fin td { background: #a0a0a0; } .tone-http td { background: #e4ffc7; }
.tone-udp td { background: #daeeff; } .tone-icmp td { background: #fce0ff; } .tone-other td { background: #ffffff; }
.tone-reset td { background: #a40000; color: #fffc9c; } .tone-problem td { background: #12272e; color: #f78787; }
.tone-icmp-error td { background: #12272e; color: #b7f774; }
.decode-as { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 8px 0; }
.ladder-box { border: 1px solid #d1d9e0; border-radius: 6px; padding: 6px; overflow: hidden; }
.ladder-box svg { display: block; max-width: 100%; height: auto; }
.missing { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; }

table.index { border-collapse: collapse; width: 100%; }
.index th, .index td { text-align: left; vertical-align: top; padding: 8px; border-bottom: 1px solid #d1d9e0; }
.index img { display: block; width: 260px; border: 1px solid #d1d9e0; margin-top: 4px; }
`;
