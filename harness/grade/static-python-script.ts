// The Python side of the static checks (static-checks.ts): one python3 process per submission parses
// every .py file with the ast module (nothing is executed) and reports, per file, what a grader reads in
// the source: Python 2 syntax, addresses written into bind/connect/sendto, the URL path opened as it
// comes, environment variables read, a listening socket closed in its accept loop, recv()'s bytes
// compared with a str, one recv() per response, request lines written into the program. Input on stdin:
// [{ path, name }]; output on stdout: one FileAnalysis per file (static-checks.ts), as JSON.
export const PYTHON_ANALYZER = String.raw`
import ast, json, re, sys

PY2_MESSAGES = (
    ("Missing parentheses in call to 'print'", 'print statement'),
    ("Missing parentheses in call to 'exec'", 'exec statement'),
    ('multiple exception types must be parenthesized', '"except Error, e:"'),
)
PY2_NAMES = ('raw_input', 'xrange', 'unicode', 'basestring', 'unichr', 'long', 'execfile', 'reload')
CONCURRENCY = ('threading', '_thread', 'thread', 'socketserver', 'SocketServer', 'asyncio', 'multiprocessing', 'concurrent', 'selectors', 'select', 'gevent', 'twisted')
SOCKET_CALLS = {'bind': 0, 'connect': 0, 'connect_ex': 0, 'sendto': 1, 'create_connection': 0}


def line_text(lines, number):
    return lines[number - 1].strip() if 0 < number <= len(lines) else ''


class Module:
    def __init__(self, tree, lines):
        self.lines = lines
        self.assigned = {}
        self.parents = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned.setdefault(node.targets[0].id, []).append(node.value)

    def value_of(self, node, depth=0):
        """The expression a name stands for when it is assigned exactly once."""
        while isinstance(node, ast.Name) and depth < 5:
            values = self.assigned.get(node.id, [])
            if len(values) != 1:
                return node
            node = values[0]
            depth += 1
        return node

    def literal(self, node):
        """(value, line) of a constant, through names and int('...'), else None."""
        node = self.value_of(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'int' and len(node.args) == 1:
            inner = self.literal(node.args[0])
            if inner and isinstance(inner[0], str) and inner[0].strip().isdigit():
                return int(inner[0]), inner[1]
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)) and not isinstance(node.value, bool):
            return node.value, node.lineno
        return None

    def innermost_loop(self, node):
        node = self.parents.get(node)
        while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            if isinstance(node, (ast.While, ast.For)):
                return node
            node = self.parents.get(node)
        return None

    def finding(self, kind, line, **extra):
        item = {'kind': kind, 'line': line, 'text': line_text(self.lines, line)}
        item.update(extra)
        return item


def method_calls(tree, names):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names:
            yield node


def receiver(call):
    value = call.func.value
    return value.id if isinstance(value, ast.Name) else None


def env_variable(node):
    """The name read by os.environ['X'], os.environ.get('X', …), os.getenv('X', …), and whether it has a default."""
    def is_environ(value):
        return (isinstance(value, ast.Attribute) and value.attr == 'environ') or (isinstance(value, ast.Name) and value.id == 'environ')
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and is_environ(node.value):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value, False
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        func = node.func
        getenv = (isinstance(func, ast.Attribute) and func.attr == 'getenv') or (isinstance(func, ast.Name) and func.id == 'getenv')
        environ_get = isinstance(func, ast.Attribute) and func.attr == 'get' and is_environ(func.value)
        if getenv or environ_get:
            return node.args[0].value, len(node.args) > 1 or any(k.arg == 'default' for k in node.keywords)
    return None


def is_split_second(node):
    """message.split()[1]: the request line's path, as the skeleton takes it."""
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == 1
            and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == 'split')


def analyze_tree(tree, lines, source):
    module = Module(tree, lines)
    findings = []
    concurrency = False
    defined = set(module.assigned)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        if isinstance(node, ast.Import):
            concurrency = concurrency or any(alias.name.split('.')[0] in CONCURRENCY for alias in node.names)
            defined.update((alias.asname or alias.name).split('.')[0] for alias in node.names)
        if isinstance(node, ast.ImportFrom):
            concurrency = concurrency or (node.module or '').split('.')[0] in CONCURRENCY
            defined.update(alias.asname or alias.name for alias in node.names)
        if isinstance(node, ast.Attribute) and node.attr == 'fork' and isinstance(node.value, ast.Name) and node.value.id == 'os':
            concurrency = True
    # Addresses written into bind/connect/sendto.
    for call in method_calls(tree, SOCKET_CALLS):
        index = SOCKET_CALLS[call.func.attr]
        if len(call.args) <= index:
            continue
        address = module.value_of(call.args[index])
        if not isinstance(address, ast.Tuple) or len(address.elts) < 2:
            continue
        host, port = module.literal(address.elts[0]), module.literal(address.elts[1])
        if port and isinstance(port[0], int):
            findings.append(module.finding('port-literal', port[1], call=call.func.attr, callLine=call.lineno, value=port[0]))
        if host and isinstance(host[0], str) and call.func.attr != 'bind' and host[0] not in ('', '0.0.0.0'):
            findings.append(module.finding('host-literal', host[1], call=call.func.attr, callLine=call.lineno, value=host[0]))
    # open(filename) with filename = message.split()[1]: the URL path with its leading slash.
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'open' and node.args:
            if is_split_second(module.value_of(node.args[0])):
                findings.append(module.finding('url-path-opened', node.lineno))
        variable = env_variable(node)
        if variable:
            findings.append(module.finding('env-read', node.lineno, value=variable[0], hasDefault=variable[1]))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in PY2_NAMES and node.id not in defined:
            findings.append(module.finding('python2-name', node.lineno, value=node.id))
    # A listening socket closed inside the loop that accepts its clients.
    listening = {receiver(call) for call in method_calls(tree, ('listen', 'accept'))} - {None}
    for loop in (node for node in ast.walk(tree) if isinstance(node, (ast.While, ast.For))):
        accepts = {receiver(call) for call in method_calls(loop, ('accept',))} & listening
        for close in method_calls(loop, ('close',)):
            if receiver(close) in accepts:
                findings.append(module.finding('listening-socket-closed', close.lineno, value=receiver(close)))
    # What recv() returned (bytes) compared with a str; one recv() outside any loop on a connected socket.
    connected = {receiver(call) for call in method_calls(tree, ('connect',))} - {None}
    received = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == 'recv':
                received.add(node.targets[0].id)
                loop = module.innermost_loop(node)
                # A loop that also connects makes one connection per round: still one recv() per response.
                per_connection = loop is not None and any(receiver(call) == receiver(value) for call in method_calls(loop, ('connect',)))
                if receiver(value) in connected and (loop is None or per_connection):
                    findings.append(module.finding('single-recv', node.lineno, value=node.targets[0].id))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            sides = [node.left, node.comparators[0]]
            names = [side.id for side in sides if isinstance(side, ast.Name) and side.id in received]
            strings = [side for side in sides if isinstance(side, ast.Constant) and isinstance(side.value, str)]
            if names and strings:
                findings.append(module.finding('bytes-compared-with-str', node.lineno, value=names[0]))
    # Request lines written into the program.
    keeps_alive = not re.search(r'connection:\s*close', source, re.IGNORECASE)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if re.match(r'^(GET|HEAD|POST) / HTTP/1\.[01]', text):
            findings.append(module.finding('fixed-request-path', node.lineno, value=text.split('\r')[0].split('\n')[0]))
        if re.search(r' HTTP/1\.[01](?<!\r)\n', text) or re.match(r'^ ?HTTP/1\.[01]\n', text):
            findings.append(module.finding('bare-lf', node.lineno))
        if keeps_alive and re.search(r' HTTP/1\.1(\r?\n|$)', text) and not text.startswith('HTTP/'):
            findings.append(module.finding('http11-request', node.lineno))
    findings.sort(key=lambda item: (item['line'], item['kind']))
    return {'concurrency': concurrency, 'findings': findings}


def analyze(path, name):
    with open(path, 'rb') as handle:
        raw = handle.read()
    try:
        source = raw.decode('utf-8')
    except UnicodeDecodeError:
        source = raw.decode('latin-1')
    lines = source.split('\n')
    try:
        tree = ast.parse(source, filename=name)
    except SyntaxError as error:
        line = error.lineno or 0
        habit = next((habit for message, habit in PY2_MESSAGES if message in (error.msg or '')), None)
        if habit is None and re.match(r'^\s*print\s+[^\s(=]', line_text(lines, line)):
            habit = 'print statement'
        return {'file': name, 'syntaxError': {'line': line, 'text': line_text(lines, line), 'message': error.msg or 'invalid syntax'},
                'python2': habit, 'concurrency': False, 'findings': []}
    except ValueError as error:
        return {'file': name, 'syntaxError': {'line': 0, 'text': '', 'message': str(error)}, 'python2': None, 'concurrency': False, 'findings': []}
    result = {'file': name, 'python2': None}
    result.update(analyze_tree(tree, lines, source))
    return result


def main():
    files = json.load(sys.stdin)
    results = []
    for entry in files:
        try:
            results.append(analyze(entry['path'], entry['name']))
        except (OSError, RecursionError, MemoryError) as error:
            results.append({'file': entry['name'], 'error': str(error)})
    json.dump(results, sys.stdout)


main()
`;
