// The end of a program's output, for failure messages ("what did the service say before it died?").

export function tailLines(stdout: string, stderr: string, count = 10): string {
  const parts: string[] = [];
  const tail = (text: string) => text.replace(/\n$/, '').split('\n').slice(-count).join('\n');
  if (stdout.trim()) parts.push(`stdout:\n${indent(tail(stdout))}`);
  if (stderr.trim()) parts.push(`stderr:\n${indent(tail(stderr))}`);
  return parts.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
