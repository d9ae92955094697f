// The README.md that `socklab init` writes into a course folder: for the instructor who keeps the
// lab's specs in the course's repository, not for socklab's developers.

export function courseReadme(version: string): string {
  return `# Socket-programming lab: specs and grading

This folder was made by \`socklab init\` (socklab ${version}). It holds the lab's experiments, which you
can edit, and socklab grades students' programs with them. socklab itself is installed separately
(\`npm install -g socklab-*.tgz\`; see socklab's own README). It runs on Linux only (its README's
"Supported platforms" says why, and what students on macOS or Windows can do).

## What is where

| path | what it is |
|------|------------|
| \`specs/lab.yaml\` | the lab file: each role (tcp-server, web-server, …), how it is called, which program plays it by default (socklab's reference programs), the file names \`grade\` looks for in a submission, how each language is built and run, and per-task weights |
| \`specs/task1/\` … \`specs/task4/\` | the experiments, one YAML file per topic; every file in \`specs/\` is part of the lab |
| \`spec.schema.json\`, \`lab.schema.json\` | JSON schemas for editors (below) |
| \`reports/\` | what runs write: \`index.html\`, \`junit.xml\`, \`results.json\`; \`reports/grade/\` for grades (ignored by git) |
| \`autograder.zip\` | the Gradescope autograder, when you build it (ignored by git) |

socklab uses this folder's \`specs/\` and \`specs/lab.yaml\` whenever it runs **from this folder** (it
says so on its first line); anywhere else it uses the specs it came with. \`-s\`/paths and \`--lab\`
choose others.

## Run, check, edit

\`\`\`sh
socklab validate                      # check every spec: file:line:col, what was expected, what was found
socklab list                          # every experiment: id, title, tags, file:line
socklab run                           # every experiment against socklab's reference programs → reports/
socklab run tcp-lowercase             # one experiment, by id
socklab run specs/task1 --submission path/to/alice   # a student's programs (a socklab.yaml maps roles to commands)
\`\`\`

Each spec file starts with \`# yaml-language-server: $schema=../../spec.schema.json\` (the lab file with
\`$schema=../lab.schema.json\`): editors running yaml-language-server (VS Code's YAML extension, Neovim,
Helix, …) then complete and check the specs offline. A new spec file needs the same first line, with
as many \`../\` as it is deep. After upgrading socklab, copy the new schemas over these two:
\`cp "$(npm root -g)/socklab/"*.schema.json .\`

In specs and the lab file, \`{{root}}\` is socklab's installation (its reference programs are
\`{{root}}/dist/services/\`, its web files \`{{root}}/services/www/\`), \`{{specDir}}\` the folder of the
spec file (for files you keep beside your specs), and \`{{fixtures}}\` is \`specs/fixtures/\` here.
The spec format is described in socklab's README ("The spec format").

Before grading with changed specs, check that the reference programs still pass them all:

\`\`\`sh
socklab grade --reference -s specs/task1      # must score full marks
\`\`\`

## Grade a class

\`\`\`sh
socklab grade path/to/alice -s specs/task1                 # one submission → reports/grade/
socklab grade --class submissions/ -s specs/task1 -j 4     # every sub-folder is one student
\`\`\`

\`reports/grade/grades.csv\` has the points per experiment and student, \`class.html\` who failed what,
and each student's folder their own \`index.html\`. Students' programs are found by their file names
(\`TCPServer.py\`, \`WebServer.java\`, …, as \`specs/lab.yaml\` lists them), else by what their code
does (\`task1/tcp_server.py\`, \`2-webserver/server.py\`), get their arguments the way their source reads
them (\`PORT\`, \`IP PORT\`, \`--port PORT\`, none), and run in a sandbox (bubblewrap) where it is installed.

## Gradescope

\`\`\`sh
socklab gradescope-bundle -s specs/task1 -s specs/task2    # writes autograder.zip
\`\`\`

Upload \`autograder.zip\` on the assignment's "Configure Autograder" page (base image Ubuntu 22.04 or
24.04). It holds socklab, the specs you chose and this lab file; students see one test per experiment.
`;
}
