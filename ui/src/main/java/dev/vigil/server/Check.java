package dev.vigil.server;

import dev.vigil.ingest.CheckConfig;
import dev.vigil.rules.config.CheckRules;
import dev.vigil.rules.config.RuleFiles;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/vigil check config FILE...} and {@code bin/vigil check rules FILE...}, as promtool's
 * commands of the same names: the config check also checks the rule files the config names.
 */
public final class Check {
    private Check() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("rules")) {
            return CheckRules.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        return CheckConfig.run(List.of(args), out, err, file -> {
            RuleFiles.Result r = RuleFiles.parseFile(file);
            return new CheckConfig.RuleCheck(r.ruleCount(), r.errors());
        });
    }
}
