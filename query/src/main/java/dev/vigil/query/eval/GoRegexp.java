package dev.vigil.query.eval;

/** Go's {@code Regexp.ExpandString}: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}. */
final class GoRegexp {
    private GoRegexp() {
    }

    static String expand(com.google.re2j.Matcher m, String template) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= template.length()) {
                out.append(c);
                i++;
                continue;
            }
            char n = template.charAt(i + 1);
            if (n == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int end;
            if (n == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0 || close == i + 2 || !isName(template, i + 2, close)) {
                    out.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 2, close);
                end = close + 1;
            } else {
                int k = i + 1;
                while (k < template.length() && isNameChar(template.charAt(k))) k++;
                if (k == i + 1) {
                    out.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 1, k);
                end = k;
            }
            out.append(group(m, name));
            i = end;
        }
        return out.toString();
    }

    private static boolean isNameChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private static boolean isName(String s, int from, int to) {
        for (int k = from; k < to; k++) if (!isNameChar(s.charAt(k))) return false;
        return true;
    }

    private static String group(com.google.re2j.Matcher m, String name) {
        boolean numeric = name.chars().allMatch(Character::isDigit);
        try {
            String g;
            if (numeric) {
                int idx = Integer.parseInt(name);
                if (idx > m.groupCount()) return "";
                g = m.group(idx);
            } else {
                g = m.group(name);
            }
            return g == null ? "" : g;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return ""; // an unknown group name expands to nothing in Go
        }
    }
}
