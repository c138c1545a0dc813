package dev.vigil.rules.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A parsed Go text/template: the subset rule files use. Text, actions with pipelines ({@code {{ $value | humanize }}}),
 * variables ({@code $x := ...}, {@code $x = ...}), field chains ({@code .Labels.job}, {@code $labels.job}),
 * parenthesised pipelines, {@code if / else if / else / end}, {@code range} (with {@code $i, $v :=}), {@code with},
 * {@code break} / {@code continue}, comments and {@code {{- -}}} whitespace trimming. No {@code define} / {@code
 * template}: rule files cannot share definitions anyway.
 *
 * <p>Values are plain Java objects: {@link String}, {@link Double} (Go float64), {@link Long} (Go int constants),
 * {@link Boolean}, {@code Map<String, ?>} (label maps), {@link List} (query results), {@link Sample}, {@link Struct}
 * and {@code null}. A missing map key yields {@link #MISSING}, printed as {@code <no value>} like Go's default.
 *
 * <p>Immutable after parsing and safe to execute from several threads.
 */
public final class Template {
    /** A map lookup that found nothing: Go's invalid reflect.Value, printed as {@code <no value>}. */
    public static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<no value>";
        }
    };

    /** One element of a {@code query} result, with Go's field names {@code .Labels} and {@code .Value}. */
    public record Sample(Map<String, String> labels, double value) {}

    /** A value with named fields; {@link #field} returns {@link #NO_FIELD} for a name it does not have. */
    public interface Struct {
        Object field(String name);

        String typeName();
    }

    public static final Object NO_FIELD = new Object();

    private static final Set<String> BUILTINS = Set.of("and", "or", "not", "len", "index", "print", "printf",
            "println", "eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery", "slice", "call");

    private final String name;
    private final String text;
    private final List<Node> root;

    private Template(String name, String text, List<Node> root) {
        this.name = name;
        this.text = text;
        this.root = root;
    }

    public String name() {
        return name;
    }

    /**
     * Parses {@code text}. {@code functions} are the names callable besides Go's builtins; Go rejects an unknown
     * function at parse time and so do we.
     */
    public static Template parse(String name, String text, Set<String> functions) throws TemplateException {
        Parser p = new Parser(name, text, functions);
        try {
            return new Template(name, text, p.list(true));
        } catch (RuntimeException e) {
            // a lexer corner case we did not foresee must read as a template error, not abort a rule load
            throw TemplateException.of("template: " + name + ": " + e);
        }
    }

    /** Runs the template with {@code data} as dot and {@code $}. */
    public String execute(Object data, Map<String, TemplateFunction> functions) throws TemplateException {
        Exec ex = new Exec(this, functions);
        ex.vars.add(new Var("$", data));
        StringBuilder out = new StringBuilder();
        try {
            ex.walk(root, data, out);
        } catch (LoopControl lc) {
            throw TemplateException.of("template: " + name + ": " + lc.word + " outside range");
        } catch (RuntimeException e) {
            // never let an unforeseen case escape into the rule evaluation as anything but a template error
            throw TemplateException.of("template: " + name + ": executing \"" + name + "\": " + e);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- AST

    sealed interface Node permits Text, Action, If, Range, With, Control {}

    record Text(String text) implements Node {}

    record Action(Pipe pipe) implements Node {}

    record If(Pipe cond, List<Node> then, List<Node> els) implements Node {}

    record Range(Pipe pipe, List<Node> body, List<Node> els) implements Node {}

    record With(Pipe pipe, List<Node> body, List<Node> els) implements Node {}

    record Control(String word, int pos) implements Node {}

    record Pipe(List<String> decl, boolean assign, List<Cmd> cmds, int pos) {}

    record Cmd(List<Arg> args, int pos, String src) {}

    sealed interface Arg permits FieldArg, VarArg, DotArg, LitArg, IdentArg, PipeArg {}

    /** {@code pos}: where Go's parser places the node, the start of the field chain (used in error positions). */
    record FieldArg(List<String> path, int pos) implements Arg {}

    record VarArg(String name, List<String> path, int pos) implements Arg {}

    record DotArg() implements Arg {}

    record LitArg(Object value) implements Arg {}

    record IdentArg(String name) implements Arg {}

    record PipeArg(Pipe pipe, List<String> path, int pos) implements Arg {}

    // ---------------------------------------------------------------- parser

    private enum T { IDENT, FIELD, VAR, DOT, LIT, LPAREN, RPAREN, PIPE, DECLARE, ASSIGN, COMMA }

    private record Tok(T type, String text, Object value, List<String> path, int pos) {}

    private static final class Parser {
        final String name;
        final String s;
        final Set<String> functions;
        int i;
        boolean trimNext;
        // the words that ended the last list: "end" or "else" (with the rest of the else action's tokens)
        String stop;
        List<Tok> stopRest;
        int stopPos;
        final List<String> scope = new ArrayList<>(List.of("$"));

        Parser(String name, String s, Set<String> functions) {
            this.name = name;
            this.s = s;
            this.functions = functions;
        }

        int line(int pos) {
            int l = 1;
            for (int k = 0; k < pos && k < s.length(); k++) if (s.charAt(k) == '\n') l++;
            return l;
        }

        TemplateException err(int pos, String msg) {
            return TemplateException.of("template: " + name + ":" + line(pos) + ": " + msg);
        }

        /** Parses nodes until EOF (top) or an {end}/{else} action, which it records in {@link #stop}. */
        List<Node> list(boolean top) throws TemplateException {
            List<Node> out = new ArrayList<>();
            while (true) {
                int open = s.indexOf("{{", i);
                String txt = open < 0 ? s.substring(i) : s.substring(i, open);
                if (trimNext) txt = txt.stripLeading();
                trimNext = false;
                int actionStart = open;
                boolean trimLeft = open >= 0 && s.startsWith("{{- ", open) || open >= 0 && s.startsWith("{{-\t", open)
                        || open >= 0 && s.startsWith("{{-\n", open);
                if (trimLeft) txt = txt.stripTrailing();
                if (!txt.isEmpty()) out.add(new Text(txt));
                if (open < 0) {
                    i = s.length();
                    if (!top) throw err(s.length(), "unexpected EOF");
                    return out;
                }
                i = open + 2 + (trimLeft ? 1 : 0);
                skipSpace();
                if (s.startsWith("/*", i)) {
                    int end = s.indexOf("*/", i + 2);
                    if (end < 0) throw err(actionStart, "unclosed comment");
                    i = end + 2;
                    closeAction(actionStart);
                    continue;
                }
                List<Tok> toks = lexAction(actionStart);
                if (toks.isEmpty()) throw err(actionStart, "missing value for command");
                Tok first = toks.get(0);
                if (first.type == T.IDENT) {
                    switch (first.text) {
                        case "end" -> {
                            if (top) throw err(first.pos, "unexpected {{end}}");
                            if (toks.size() > 1) throw err(first.pos, "unexpected " + toks.get(1).text + " in end");
                            stop = "end";
                            return out;
                        }
                        case "else" -> {
                            if (top) throw err(first.pos, "unexpected {{else}}");
                            stop = "else";
                            stopRest = toks.subList(1, toks.size());
                            stopPos = first.pos;
                            return out;
                        }
                        case "if" -> {
                            out.add(ifRest(toks.subList(1, toks.size()), first.pos));
                            continue;
                        }
                        case "range", "with" -> {
                            int mark = scope.size();
                            Pipe p = pipe(toks.subList(1, toks.size()), first.pos, true);
                            List<Node> body = list(false);
                            List<Node> els = List.of();
                            if (stop.equals("else")) {
                                if (!stopRest.isEmpty()) {
                                    if (first.text.equals("with") && stopRest.get(0).text.equals("with")) {
                                        Pipe p2 = pipe(stopRest.subList(1, stopRest.size()), stopPos, true);
                                        List<Node> b2 = list(false);
                                        List<Node> e2 = List.of();
                                        if (stop.equals("else")) e2 = list(false);
                                        els = List.of(new With(p2, b2, e2));
                                    } else throw err(stopPos, "unexpected tokens after else");
                                } else {
                                    els = list(false);
                                }
                                if (!stop.equals("end")) throw err(stopPos, "expected end; found else");
                            }
                            truncate(mark);
                            out.add(first.text.equals("range") ? new Range(p, body, els) : new With(p, body, els));
                            continue;
                        }
                        case "break", "continue" -> {
                            out.add(new Control(first.text, first.pos));
                            continue;
                        }
                        case "define", "template", "block" ->
                                throw err(first.pos, "{{" + first.text + "}} is not supported in rule templates");
                        default -> {
                        }
                    }
                }
                out.add(new Action(pipe(toks, first.pos, false)));
            }
        }

        private void truncate(int mark) {
            while (scope.size() > mark) scope.remove(scope.size() - 1);
        }

        /** Parses after {{if: condition, then-list, optional else / else if chain; consumes the one {{end}}. */
        private If ifRest(List<Tok> condToks, int pos) throws TemplateException {
            int mark = scope.size();
            Pipe cond = pipe(condToks, pos, true);
            List<Node> then = list(false);
            List<Node> els = List.of();
            if (stop.equals("else")) {
                if (!stopRest.isEmpty() && stopRest.get(0).type == T.IDENT && stopRest.get(0).text.equals("if")) {
                    els = List.of(ifRest(stopRest.subList(1, stopRest.size()), stopPos));
                } else if (!stopRest.isEmpty()) {
                    throw err(stopPos, "unexpected tokens after else");
                } else {
                    els = list(false);
                    if (!stop.equals("end")) throw err(stopPos, "expected end; found else");
                }
            }
            truncate(mark);
            return new If(cond, then, els);
        }

        private void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n'
                    || s.charAt(i) == '\r')) i++;
        }

        private void closeAction(int actionStart) throws TemplateException {
            skipSpace();
            if (s.startsWith("-}}", i)) {
                trimNext = true;
                i += 3;
            } else if (s.startsWith("}}", i)) {
                i += 2;
            } else {
                throw err(actionStart, "unclosed action");
            }
        }

        private static boolean identChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_';
        }

        private List<String> chain() {
            List<String> path = new ArrayList<>();
            while (i + 1 < s.length() && s.charAt(i) == '.' && identChar(s.charAt(i + 1))) {
                int st = ++i;
                while (i < s.length() && identChar(s.charAt(i))) i++;
                path.add(s.substring(st, i));
            }
            return path;
        }

        /** Tokens of one action, consuming through its closing delimiter. */
        private List<Tok> lexAction(int actionStart) throws TemplateException {
            List<Tok> out = new ArrayList<>();
            while (true) {
                if (i >= s.length()) throw err(actionStart, "unclosed action");
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    // " -}}" is the trim marker only when preceded by a space
                    int k = i;
                    skipSpace();
                    if (s.startsWith("-}}", i) && k < i) {
                        trimNext = true;
                        i += 3;
                        return out;
                    }
                    continue;
                }
                if (s.startsWith("}}", i)) {
                    i += 2;
                    return out;
                }
                int pos = i;
                switch (c) {
                    case '(' -> {
                        i++;
                        out.add(new Tok(T.LPAREN, "(", null, null, pos));
                    }
                    case ')' -> {
                        i++;
                        out.add(new Tok(T.RPAREN, ")", null, null, pos));
                        if (i < s.length() && s.charAt(i) == '.') {
                            int fp = i;
                            List<String> path = chain();
                            out.add(new Tok(T.FIELD, "." + String.join(".", path), null, path, fp));
                        }
                    }
                    case '|' -> {
                        i++;
                        out.add(new Tok(T.PIPE, "|", null, null, pos));
                    }
                    case ',' -> {
                        i++;
                        out.add(new Tok(T.COMMA, ",", null, null, pos));
                    }
                    case ':' -> {
                        if (!s.startsWith(":=", i)) throw err(pos, "expected :=");
                        i += 2;
                        out.add(new Tok(T.DECLARE, ":=", null, null, pos));
                    }
                    case '=' -> {
                        i++;
                        out.add(new Tok(T.ASSIGN, "=", null, null, pos));
                    }
                    case '"' -> out.add(new Tok(T.LIT, s.substring(pos, stringEnd(actionStart)), unquote(actionStart, pos),
                            null, pos));
                    case '`' -> {
                        int end = s.indexOf('`', i + 1);
                        if (end < 0) throw err(pos, "unterminated raw quoted string");
                        String v = s.substring(i + 1, end);
                        i = end + 1;
                        out.add(new Tok(T.LIT, "`" + v + "`", v, null, pos));
                    }
                    case '\'' -> {
                        int end = s.indexOf('\'', i + 1);
                        if (end < 0) throw err(pos, "unterminated character constant");
                        String v = s.substring(i + 1, end);
                        i = end + 1;
                        out.add(new Tok(T.LIT, "'" + v + "'", (long) v.codePointAt(0), null, pos));
                    }
                    case '$' -> {
                        i++;
                        int st = i;
                        while (i < s.length() && identChar(s.charAt(i))) i++;
                        String var = "$" + s.substring(st, i);
                        List<String> path = chain();
                        out.add(new Tok(T.VAR, var, null, path, pos));
                    }
                    case '.' -> {
                        if (i + 1 < s.length() && identChar(s.charAt(i + 1)) && !Character.isDigit(s.charAt(i + 1))) {
                            List<String> path = chain();
                            out.add(new Tok(T.FIELD, "." + String.join(".", path), null, path, pos));
                        } else if (i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                            out.add(number(pos));
                        } else {
                            i++;
                            out.add(new Tok(T.DOT, ".", null, null, pos));
                        }
                    }
                    default -> {
                        if (Character.isDigit(c) || ((c == '-' || c == '+') && i + 1 < s.length()
                                && (Character.isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '.'))) {
                            out.add(number(pos));
                        } else if (Character.isLetter(c) || c == '_') {
                            int st = i;
                            while (i < s.length() && identChar(s.charAt(i))) i++;
                            String w = s.substring(st, i);
                            switch (w) {
                                case "true" -> out.add(new Tok(T.LIT, w, Boolean.TRUE, null, pos));
                                case "false" -> out.add(new Tok(T.LIT, w, Boolean.FALSE, null, pos));
                                case "nil" -> out.add(new Tok(T.LIT, w, null, null, pos));
                                default -> out.add(new Tok(T.IDENT, w, null, null, pos));
                            }
                        } else {
                            throw err(pos, "unexpected \"" + c + "\" in command");
                        }
                    }
                }
            }
        }

        private int stringEnd(int actionStart) throws TemplateException {
            int k = i + 1;
            while (k < s.length() && s.charAt(k) != '"') {
                if (s.charAt(k) == '\\') k++;
                if (k < s.length() && s.charAt(k) == '\n') throw err(actionStart, "unterminated quoted string");
                k++;
            }
            if (k >= s.length()) throw err(actionStart, "unterminated quoted string");
            return k + 1;
        }

        private String unquote(int actionStart, int pos) throws TemplateException {
            int end = stringEnd(actionStart);
            StringBuilder b = new StringBuilder();
            for (int k = pos + 1; k < end - 1; k++) {
                char c = s.charAt(k);
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(++k);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '\\' -> b.append('\\');
                    case '"' -> b.append('"');
                    case '\'' -> b.append('\'');
                    case 'a' -> b.append('\u0007');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'v' -> b.append('\u000b');
                    case 'x', 'u', 'U' -> {
                        int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        String hex = k + 1 + n <= end - 1 ? s.substring(k + 1, k + 1 + n) : "";
                        if (!hex.matches("[0-9a-fA-F]{" + n + "}")) {
                            throw err(pos, "invalid syntax: " + s.substring(pos, end));
                        }
                        int cp = Integer.parseInt(hex, 16);
                        if (!Character.isValidCodePoint(cp)) throw err(pos, "invalid syntax: " + s.substring(pos, end));
                        if (e == 'x') b.append((char) cp);
                        else b.appendCodePoint(cp);
                        k += n;
                    }
                    default -> throw err(pos, "invalid syntax: " + s.substring(pos, end));
                }
            }
            i = end;
            return b.toString();
        }

        private Tok number(int pos) throws TemplateException {
            int st = i;
            if (s.charAt(i) == '+' || s.charAt(i) == '-') i++;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.'
                    || s.charAt(i) == '_' || ((s.charAt(i) == '+' || s.charAt(i) == '-')
                    && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) i++;
            String t = s.substring(st, i);
            String clean = t.replace("_", "");
            try {
                if (clean.matches("[+-]?0[xX][0-9a-fA-F]+")) {
                    boolean neg = clean.startsWith("-");
                    long v = Long.parseLong(clean.replaceFirst("^[+-]?0[xX]", ""), 16);
                    return new Tok(T.LIT, t, neg ? -v : v, null, pos);
                }
                if (clean.matches("[+-]?[0-9]+")) return new Tok(T.LIT, t, Long.parseLong(clean), null, pos);
                return new Tok(T.LIT, t, Double.parseDouble(clean), null, pos);
            } catch (NumberFormatException e) {
                throw err(pos, "bad number syntax: \"" + t + "\"");
            }
        }

        /** A pipeline from tokens; {@code control} pipelines (if/range/with) may declare variables too. */
        Pipe pipe(List<Tok> toks, int pos, boolean control) throws TemplateException {
            int k = 0;
            List<String> decl = new ArrayList<>();
            boolean assign = false;
            // $x := / $x = / $i, $v :=
            int look = 0;
            List<String> names = new ArrayList<>();
            while (look < toks.size() && toks.get(look).type == T.VAR && toks.get(look).path.isEmpty()) {
                names.add(toks.get(look).text);
                look++;
                if (look < toks.size() && toks.get(look).type == T.COMMA) {
                    look++;
                    continue;
                }
                break;
            }
            if (!names.isEmpty() && look < toks.size()
                    && (toks.get(look).type == T.DECLARE || toks.get(look).type == T.ASSIGN)) {
                assign = toks.get(look).type == T.ASSIGN;
                if (names.size() > 2 || (names.size() == 2 && !control)) throw err(pos, "too many declarations");
                decl = names;
                k = look + 1;
                if (assign) {
                    for (String n : names) if (!scope.contains(n)) throw err(pos, "undefined variable \"" + n + "\"");
                }
            }
            int[] at = {k};
            Pipe p = pipeTokens(toks, at, pos, decl, assign);
            if (at[0] != toks.size()) throw err(toks.get(at[0]).pos, "unexpected \"" + toks.get(at[0]).text
                    + "\" in command");
            if (!assign) scope.addAll(decl);
            return p;
        }

        private Pipe pipeTokens(List<Tok> toks, int[] at, int pos, List<String> decl, boolean assign)
                throws TemplateException {
            List<Cmd> cmds = new ArrayList<>();
            while (true) {
                int cmdStart = at[0];
                List<Arg> args = new ArrayList<>();
                while (at[0] < toks.size()) {
                    Tok t = toks.get(at[0]);
                    if (t.type == T.PIPE || t.type == T.RPAREN) break;
                    at[0]++;
                    switch (t.type) {
                        case IDENT -> {
                            if (!BUILTINS.contains(t.text) && !functions.contains(t.text)) {
                                throw err(t.pos, "function \"" + t.text + "\" not defined");
                            }
                            args.add(new IdentArg(t.text));
                        }
                        // Go turns ".a.b" into a chain positioned at ".b", "$x.a" into one at ".a"
                        case FIELD -> args.add(new FieldArg(t.path,
                                t.path.size() > 1 ? t.pos + 1 + t.path.get(0).length() : t.pos));
                        case VAR -> {
                            if (!scope.contains(t.text)) throw err(t.pos, "undefined variable \"" + t.text + "\"");
                            args.add(new VarArg(t.text, t.path, t.path.isEmpty() ? t.pos : t.pos + t.text.length()));
                        }
                        case DOT -> args.add(new DotArg());
                        case LIT -> args.add(new LitArg(t.value));
                        case LPAREN -> {
                            Pipe inner = pipeTokens(toks, at, t.pos, List.of(), false);
                            if (at[0] >= toks.size() || toks.get(at[0]).type != T.RPAREN) {
                                throw err(t.pos, "unclosed left paren");
                            }
                            at[0]++;
                            List<String> path = List.of();
                            int ppos = t.pos;
                            if (at[0] < toks.size() && toks.get(at[0]).type == T.FIELD
                                    && adjacent(toks.get(at[0] - 1), toks.get(at[0]))) {
                                path = toks.get(at[0]).path;
                                ppos = toks.get(at[0]).pos;
                                at[0]++;
                            }
                            args.add(new PipeArg(inner, path, ppos));
                        }
                        default -> throw err(t.pos, "unexpected \"" + t.text + "\" in command");
                    }
                }
                if (args.isEmpty()) throw err(pos, "missing value for command");
                int p0 = toks.get(cmdStart).pos;
                int p1 = at[0] < toks.size() ? toks.get(at[0]).pos : tokEnd(toks.get(at[0] - 1));
                cmds.add(new Cmd(args, p0, s.substring(p0, Math.min(Math.max(p1, p0), s.length())).strip()));
                if (at[0] < toks.size() && toks.get(at[0]).type == T.PIPE) {
                    at[0]++;
                    continue;
                }
                break;
            }
            return new Pipe(decl, assign, cmds, pos);
        }

        private static int tokEnd(Tok t) {
            int end = t.pos + t.text.length();
            if (t.type == T.VAR) for (String f : t.path) end += 1 + f.length();
            return end;
        }

        private boolean adjacent(Tok rparen, Tok field) {
            return field.pos == rparen.pos + 1;
        }
    }

    // ---------------------------------------------------------------- execution

    private record Var(String name, Object value) {}

    private static final class LoopControl extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String word;

        LoopControl(String word) {
            super(word, null, false, false);
            this.word = word;
        }
    }

    private static final class Exec {
        final Template t;
        final Map<String, TemplateFunction> functions;
        final List<Var> vars = new ArrayList<>();

        Exec(Template t, Map<String, TemplateFunction> functions) {
            this.t = t;
            this.functions = functions;
        }

        TemplateException err(int pos, String src, String msg) {
            int line = 1, lastNl = -1;
            for (int k = 0; k < pos && k < t.text.length(); k++) {
                if (t.text.charAt(k) == '\n') {
                    line++;
                    lastNl = k;
                }
            }
            int col = pos - lastNl - 1;
            return TemplateException.of("template: " + t.name + ":" + line + ":" + col + ": executing \"" + t.name
                    + "\" at <" + src + ">: " + msg);
        }

        void walk(List<Node> nodes, Object dot, StringBuilder out) throws TemplateException {
            for (Node n : nodes) {
                switch (n) {
                    case Text tx -> out.append(tx.text());
                    case Action a -> {
                        Object v = pipe(a.pipe(), dot);
                        if (a.pipe().decl().isEmpty()) out.append(print(v));
                    }
                    case If f -> {
                        int mark = vars.size();
                        Object v = pipe(f.cond(), dot);
                        walk(truth(v) ? f.then() : f.els(), dot, out);
                        pop(mark);
                    }
                    case With w -> {
                        int mark = vars.size();
                        Object v = pipe(w.pipe(), dot);
                        if (truth(v)) walk(w.body(), v, out);
                        else walk(w.els(), dot, out);
                        pop(mark);
                    }
                    case Range r -> range(r, dot, out);
                    case Control c -> throw new LoopControl(c.word());
                }
            }
        }

        private void pop(int mark) {
            while (vars.size() > mark) vars.remove(vars.size() - 1);
        }

        private void range(Range r, Object dot, StringBuilder out) throws TemplateException {
            int mark = vars.size();
            Pipe p = r.pipe();
            // the declared variables receive the element, not the collection
            Object coll = pipe(new Pipe(List.of(), false, p.cmds(), p.pos()), dot);
            List<Object[]> items = new ArrayList<>();
            if (coll instanceof List<?> l) {
                for (int k = 0; k < l.size(); k++) items.add(new Object[] {(long) k, l.get(k)});
            } else if (coll instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) items.add(new Object[] {e.getKey(), e.getValue()});
            } else if (coll instanceof Long n) {
                for (long k = 0; k < n; k++) items.add(new Object[] {k, k});
            } else if (coll != null && coll != MISSING) {
                throw err(p.pos(), "range", "range can't iterate over " + print(coll));
            }
            if (items.isEmpty()) {
                walk(r.els(), dot, out);
                pop(mark);
                return;
            }
            for (Object[] it : items) {
                int inner = vars.size();
                if (p.decl().size() == 1) vars.add(new Var(p.decl().get(0), it[1]));
                else if (p.decl().size() == 2) {
                    vars.add(new Var(p.decl().get(0), it[0]));
                    vars.add(new Var(p.decl().get(1), it[1]));
                }
                try {
                    walk(r.body(), it[1], out);
                } catch (LoopControl lc) {
                    if (lc.word.equals("break")) {
                        pop(inner);
                        break;
                    }
                }
                pop(inner);
            }
            pop(mark);
        }

        Object pipe(Pipe p, Object dot) throws TemplateException {
            Object v = null;
            boolean has = false;
            for (Cmd c : p.cmds()) {
                v = cmd(c, dot, has ? v : null, has);
                has = true;
            }
            if (!p.decl().isEmpty()) {
                if (p.assign()) {
                    String n = p.decl().get(0);
                    for (int k = vars.size() - 1; k >= 0; k--) {
                        if (vars.get(k).name().equals(n)) {
                            vars.set(k, new Var(n, v));
                            break;
                        }
                    }
                } else {
                    vars.add(new Var(p.decl().get(0), v));
                }
            }
            return v;
        }

        Object lookupVar(String n) {
            for (int k = vars.size() - 1; k >= 0; k--) if (vars.get(k).name().equals(n)) return vars.get(k).value();
            throw new IllegalStateException("undefined variable " + n);
        }

        Object cmd(Cmd c, Object dot, Object piped, boolean hasPiped) throws TemplateException {
            Arg first = c.args().get(0);
            if (first instanceof IdentArg id) {
                String fn = id.name();
                if (fn.equals("and") || fn.equals("or")) {
                    List<Arg> rest = c.args().subList(1, c.args().size());
                    if (rest.isEmpty() && !hasPiped) throw err(c.pos(), c.src(), "wrong number of args for " + fn
                            + ": want at least 1 got 0");
                    Object v = null;
                    for (Arg a : rest) {
                        v = arg(a, dot, c);
                        if (fn.equals("and") != truth(v)) return v;
                    }
                    return hasPiped ? piped : v;
                }
                List<Object> args = new ArrayList<>();
                for (int k = 1; k < c.args().size(); k++) args.add(arg(c.args().get(k), dot, c));
                if (hasPiped) args.add(piped);
                return call(fn, args, c);
            }
            if (c.args().size() > 1 || hasPiped) {
                throw err(c.pos(), c.src(), "can't give argument to non-function " + c.src().split("\\s")[0]);
            }
            return arg(first, dot, c);
        }

        Object arg(Arg a, Object dot, Cmd c) throws TemplateException {
            return switch (a) {
                case DotArg d -> dot;
                case LitArg l -> l.value();
                case FieldArg f -> fields(dot, f.path(), c, f.pos());
                case VarArg v -> fields(lookupVar(v.name()), v.path(), c, v.pos());
                case PipeArg p -> fields(pipe(p.pipe(), dot), p.path(), c, p.pos());
                case IdentArg id -> call(id.name(), List.of(), c);
            };
        }

        Object fields(Object v, List<String> path, Cmd c, int pos) throws TemplateException {
            for (String f : path) {
                if (v instanceof Map<?, ?> m) {
                    Object r = m.get(f);
                    v = r == null && !m.containsKey(f) ? missing(m) : r;
                } else if (v instanceof Sample s) {
                    v = switch (f) {
                        case "Labels" -> s.labels();
                        case "Value" -> s.value();
                        default -> throw err(pos, c.src(), "can't evaluate field " + f + " in type *template.sample");
                    };
                } else if (v instanceof Struct st) {
                    Object r = st.field(f);
                    if (r == NO_FIELD) {
                        throw err(pos, c.src(), "can't evaluate field " + f + " in type " + st.typeName());
                    }
                    v = r;
                } else if (v == null || v == MISSING) {
                    throw err(pos, c.src(), "nil pointer evaluating interface {}." + f);
                } else {
                    throw err(pos, c.src(), "can't evaluate field " + f + " in type " + GoFmt.typeName(v));
                }
            }
            return v;
        }

        Object call(String fn, List<Object> args, Cmd c) throws TemplateException {
            try {
                return switch (fn) {
                    case "not" -> {
                        want(fn, args, 1);
                        yield !truth(args.get(0));
                    }
                    case "len" -> {
                        want(fn, args, 1);
                        Object a = args.get(0);
                        if (a instanceof String s) yield (long) s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                        if (a instanceof Map<?, ?> m) yield (long) m.size();
                        if (a instanceof List<?> l) yield (long) l.size();
                        throw new IllegalArgumentException("len of type " + GoFmt.typeName(a));
                    }
                    case "index" -> {
                        if (args.isEmpty()) throw new IllegalArgumentException("wrong number of args for index");
                        Object v = args.get(0);
                        for (int k = 1; k < args.size(); k++) {
                            Object key = args.get(k);
                            if (v instanceof Map<?, ?> m) v = m.containsKey(key) ? m.get(key) : missing(m);
                            else if (v instanceof List<?> l && key instanceof Long idx) {
                                if (idx < 0 || idx >= l.size()) {
                                    throw new IllegalArgumentException("index out of range: " + idx);
                                }
                                v = l.get((int) (long) idx);
                            } else throw new IllegalArgumentException("can't index item of type " + GoFmt.typeName(v));
                        }
                        yield v;
                    }
                    case "print" -> {
                        StringBuilder b = new StringBuilder();
                        for (int k = 0; k < args.size(); k++) {
                            // fmt.Sprint adds a space between operands when neither is a string
                            if (k > 0 && !(args.get(k) instanceof String) && !(args.get(k - 1) instanceof String)) {
                                b.append(' ');
                            }
                            b.append(print(args.get(k)));
                        }
                        yield b.toString();
                    }
                    case "println" -> {
                        StringBuilder b = new StringBuilder();
                        for (int k = 0; k < args.size(); k++) {
                            if (k > 0) b.append(' ');
                            b.append(print(args.get(k)));
                        }
                        yield b.append('\n').toString();
                    }
                    case "printf" -> {
                        if (args.isEmpty() || !(args.get(0) instanceof String f)) {
                            throw new IllegalArgumentException("wrong type for value; expected string");
                        }
                        List<Object> rest = new ArrayList<>(args.subList(1, args.size()));
                        rest.replaceAll(x -> x == MISSING ? null : x);
                        yield GoFmt.sprintf(f, rest);
                    }
                    case "eq" -> {
                        if (args.size() < 2) throw new IllegalArgumentException("missing argument for comparison");
                        for (int k = 1; k < args.size(); k++) if (compare(args.get(0), args.get(k), true) == 0) yield true;
                        yield false;
                    }
                    case "ne" -> {
                        want(fn, args, 2);
                        yield compare(args.get(0), args.get(1), true) != 0;
                    }
                    case "lt" -> {
                        want(fn, args, 2);
                        yield compare(args.get(0), args.get(1), false) < 0;
                    }
                    case "le" -> {
                        want(fn, args, 2);
                        yield compare(args.get(0), args.get(1), false) <= 0;
                    }
                    case "gt" -> {
                        want(fn, args, 2);
                        yield compare(args.get(0), args.get(1), false) > 0;
                    }
                    case "ge" -> {
                        want(fn, args, 2);
                        yield compare(args.get(0), args.get(1), false) >= 0;
                    }
                    case "html" -> htmlEscape(sprint(args));
                    case "urlquery" -> java.net.URLEncoder.encode(sprint(args), java.nio.charset.StandardCharsets.UTF_8);
                    case "js" -> sprint(args).replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"")
                            .replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026");
                    case "slice" -> {
                        if (args.isEmpty() || !(args.get(0) instanceof String s)) {
                            throw new IllegalArgumentException("can't slice item");
                        }
                        int from = args.size() > 1 ? (int) (long) (Long) args.get(1) : 0;
                        int to = args.size() > 2 ? (int) (long) (Long) args.get(2) : s.length();
                        yield s.substring(from, to);
                    }
                    case "call" -> throw new IllegalArgumentException("call is not supported");
                    default -> {
                        TemplateFunction f = functions.get(fn);
                        if (f == null) throw new IllegalArgumentException("function \"" + fn + "\" not defined");
                        List<Object> a = new ArrayList<>(args);
                        a.replaceAll(x -> x == MISSING ? null : x);
                        yield f.apply(a);
                    }
                };
            } catch (TemplateException e) {
                throw e;
            } catch (ClassCastException e) {
                // an argument of the wrong type: Go's template checks it before the call and says so in Go's type names
                java.util.regex.Matcher m = CAST.matcher(String.valueOf(e.getMessage()));
                throw err(c.pos(), c.src(), m.find() ? "wrong type for value; expected " + goType(m.group(2)) + "; got " + goType(m.group(1))
                        : "error calling " + fn + ": wrong type of argument");
            } catch (Exception e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                throw err(c.pos(), c.src(), "error calling " + fn + ": " + m);
            }
        }

        private static final java.util.regex.Pattern CAST = java.util.regex.Pattern.compile("class (\\S+) cannot be cast to class (\\S+)");

        /** The Go type a template author knows for a value of this Java class. */
        private static String goType(String javaClass) {
            return switch (javaClass) {
                case "java.lang.String" -> "string";
                case "java.lang.Long", "java.lang.Integer" -> "int";
                case "java.lang.Double" -> "float64";
                case "java.lang.Boolean" -> "bool";
                case "java.util.List" -> "template.queryResult";
                case "java.util.Map" -> "map[string]string";
                default -> javaClass.substring(javaClass.lastIndexOf('.') + 1);
            };
        }

        private static void want(String fn, List<Object> args, int n) {
            if (args.size() != n) {
                throw new IllegalArgumentException("wrong number of args for " + fn + ": want " + n + " got "
                        + args.size());
            }
        }

        private static String sprint(List<Object> args) {
            StringBuilder b = new StringBuilder();
            for (Object a : args) b.append(print(a));
            return b.toString();
        }

        /**
         * Go compares only values of one basic kind; we also compare ints with floats (Go errors there), since a
         * rule author writing {@code gt $value 80} means a number either way.
         */
        private static int compare(Object a, Object b, boolean equality) {
            if (a == MISSING || b == MISSING) throw new IllegalArgumentException("invalid type for comparison");
            if ((a instanceof Double || a instanceof Long) && (b instanceof Double || b instanceof Long)) {
                if (a instanceof Long x && b instanceof Long y) return Long.compare(x, y);
                double x = ((Number) a).doubleValue(), y = ((Number) b).doubleValue();
                return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2; // NaN: neither less, greater nor equal
            }
            if (a instanceof String x && b instanceof String y) return x.compareTo(y);
            if (equality && a instanceof Boolean x && b instanceof Boolean y) return x.equals(y) ? 0 : 1;
            if (equality && a == null && b == null) return 0;
            if (!equality && (a instanceof Boolean || a == null)) throw new IllegalArgumentException("invalid type for comparison");
            throw new IllegalArgumentException("incompatible types for comparison");
        }

        static String htmlEscape(String s) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < s.length(); k++) {
                char ch = s.charAt(k);
                switch (ch) {
                    case '&' -> b.append("&amp;");
                    case '\'' -> b.append("&#39;");
                    case '<' -> b.append("&lt;");
                    case '>' -> b.append("&gt;");
                    case '"' -> b.append("&#34;");
                    case 0 -> b.append('\uFFFD');
                    default -> b.append(ch);
                }
            }
            return b.toString();
        }
    }

    /**
     * What a lookup of an absent key yields. Prometheus expands alert templates with {@code missingkey=zero}, so an
     * absent label of {@code $labels} (a Go {@code map[string]string}) is the empty string; other maps (e.g. from
     * {@code args}) hold interface values whose zero prints as {@code <no value>}. Java erases the element type, so a
     * map whose values are all strings stands for a label map.
     */
    static Object missing(Map<?, ?> m) {
        for (Object v : m.values()) if (!(v instanceof String)) return MISSING;
        return "";
    }

    /** Go's template truth: false, 0, nil and empty strings, maps and lists are false. */
    static boolean truth(Object v) {
        if (v == null || v == MISSING) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof Double d) return d != 0;
        if (v instanceof Long l) return l != 0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        if (v instanceof List<?> l) return !l.isEmpty();
        return true;
    }

    /** How an action prints a value: strings as they are, the rest as fmt's %v. */
    static String print(Object v) {
        if (v instanceof String s) return s;
        return GoFmt.value(v);
    }
}
