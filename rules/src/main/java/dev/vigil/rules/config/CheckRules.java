package dev.vigil.rules.config;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code bin/vigil check rules FILE...}: validates rule files like {@code promtool check rules}, with its output and
 * exit codes. For each file: {@code Checking FILE} then {@code   SUCCESS: N rules found} on stdout, or
 * {@code   FAILED:} and one line per error on stderr. Exit code 1 when any file failed, 0 otherwise.
 */
public final class CheckRules {
    private CheckRules() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the check; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: vigil check rules FILE...");
            return 2;
        }
        boolean failed = false;
        for (String f : args) {
            out.println("Checking " + f);
            RuleFiles.Result r = RuleFiles.parseFile(Path.of(f));
            if (r.ok()) {
                out.println("  SUCCESS: " + r.ruleCount() + " rules found");
            } else {
                failed = true;
                err.println("  FAILED:");
                for (String e : r.errors()) err.println(e);
            }
            out.println();
        }
        return failed ? 1 : 0;
    }
}
