package dev.vigil.query.eval;

/** Natural order of strings (digit runs compare as numbers), as the natsort package Prometheus uses. */
final class NatSort {
    private NatSort() {
    }

    static boolean less(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", ""), nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                if (na.length() != nb.length()) return na.length() < nb.length();
                int c = na.compareTo(nb);
                if (c != 0) return c < 0;
                continue;
            }
            if (ca != cb) return ca < cb;
            i++;
            j++;
        }
        return a.length() - i < b.length() - j;
    }
}
