// The class report's stylesheet. The table scrolls sideways inside its own box, never the page, with
// the student column held in place, so that a phone (390 px) shows each name and total at once.
export const classReportStyle = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
.wrap{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .3rem}
h1,p,li{overflow-wrap:anywhere}
a{color:#0550ae}
.scroll{overflow-x:auto;max-width:100%;border-left:1px solid #d0d7de;border-top:1px solid #d0d7de}
table{border-collapse:separate;border-spacing:0;font-size:.85rem}
th,td{border-right:1px solid #d0d7de;border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:center;background:#fff}
thead th{background:#f6f8fa;font-weight:600}
th.name{position:sticky;left:0;z-index:2;text-align:left;min-width:9em;max-width:12em;overflow-wrap:anywhere;font-weight:400;box-shadow:2px 0 0 #d0d7de}
thead th.name{z-index:3;background:#f6f8fa;font-weight:600}
td.total{white-space:nowrap;font-variant-numeric:tabular-nums}
td.why{text-align:left;min-width:10em;max-width:16em;overflow-wrap:anywhere}
th.task{text-align:left}
.task-start{border-left:2px solid #8c959f}
@media (min-width:700px){th.name{min-width:12em;max-width:18em}}
th.exp{min-width:1.9em;padding:4px 2px;font-variant-numeric:tabular-nums}
th.exp a{color:inherit;text-decoration:none;display:block}
td.mark{padding:4px 2px}
.passed{background:#dafbe1;color:#116329}.failed,.interrupted{background:#ffebe9;color:#82071e}
.error{background:#fff8c5;color:#7d4e00}.skipped{color:#57606a}
td.not-handed-in{color:#57606a;font-style:italic;white-space:nowrap;background:#f6f8fa}
td.not-handed-in.counted{color:#82071e}
.note{display:block;font-size:.8rem;color:#57606a}
ol li,ul li{margin:.2rem 0}.muted{color:#57606a}
code{font-size:.85rem}
`;
