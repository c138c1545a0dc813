package dev.vigil.ingest;

import dev.vigil.ingest.config.AlertingConfig;
import dev.vigil.ingest.config.ConfigException;
import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.FileSdConfig;
import dev.vigil.ingest.config.Globs;
import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.config.TargetGroupFiles;
import dev.vigil.ingest.scrape.TargetBuilder;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vigil check config FILE...}: validates configuration files like {@code promtool check
 * config}, with its output shape and exit codes (0 valid, 1 invalid, 2 bad usage). Besides the
 * syntax it checks that named rule files, credential and TLS files exist, that file_sd files parse,
 * and that static and file targets survive target relabeling with a usable address, interval and
 * timeout. The rule files it names are checked by a {@link RuleFileChecker} (the rules module's
 * parser; this module cannot see it), each with promtool's {@code Checking FILE} block.
 */
public final class CheckConfig {
    public static final int SUCCESS = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private CheckConfig() {}

    /** Checks one rule file's contents. */
    @FunctionalInterface
    public interface RuleFileChecker {
        /** The number of rules and the errors (empty when valid), each already naming file and line. */
        RuleCheck check(Path file);
    }

    public record RuleCheck(int rules, List<String> errors) {}

    /** Runs the check; rule files are only checked to exist. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, out, err, null);
    }

    /**
     * Runs the check; {@code args} are what follows {@code check} on the command line.
     *
     * @param ruleChecker checks the contents of the rule files a valid config names; null: none
     */
    public static int run(List<String> args, PrintStream out, PrintStream err, RuleFileChecker ruleChecker) {
        if (args.isEmpty() || !args.getFirst().equals("config") || args.size() < 2) {
            err.println("usage: vigil check config FILE...");
            return USAGE;
        }
        boolean failed = false;
        for (String f : args.subList(1, args.size())) {
            out.println("Checking " + f);
            List<Path> ruleFiles;
            try {
                ruleFiles = check(Path.of(f), out);
                if (!ruleFiles.isEmpty()) out.println("  SUCCESS: " + ruleFiles.size() + " rule files found");
                out.println(" SUCCESS: " + f + " is valid prometheus config file syntax");
            } catch (ConfigException e) {
                err.println("  FAILED: " + e.getMessage());
                failed = true;
                ruleFiles = List.of();
            }
            out.println();
            if (ruleChecker == null) continue;
            for (Path rf : ruleFiles) { // as promtool: each rule file named by the config gets its own block
                out.println("Checking " + rf);
                RuleCheck r = ruleChecker.check(rf);
                if (r.errors().isEmpty()) {
                    out.println("  SUCCESS: " + r.rules() + " rules found");
                } else {
                    err.println("  FAILED:");
                    for (String e : r.errors()) err.println("     " + e);
                    failed = true;
                }
                out.println();
            }
        }
        return failed ? FAILURE : SUCCESS;
    }

    /** Loads and checks one file; returns the rule files it names. */
    static List<Path> check(Path file, PrintStream out) {
        PrometheusConfig c = ConfigParser.load(file);
        String name = file.toString();
        List<Path> rules = new ArrayList<>();
        for (String rf : c.ruleFiles()) {
            List<Path> found = Globs.expand(rf, name);
            if (!rf.contains("*") && found.isEmpty()) throw ConfigException.ofFile(name, "\"" + rf + "\" does not point to an existing file", null);
            rules.addAll(found);
        }
        for (ScrapeConfig s : c.scrapeConfigs()) {
            checkHttp(name, s.http());
            checkTargets(name, s.staticConfigs(), s);
            for (FileSdConfig sd : s.fileSdConfigs()) {
                for (String pattern : sd.files()) {
                    List<Path> files = Globs.expand(pattern, name);
                    if (files.isEmpty()) {
                        out.println("  WARNING: file \"" + pattern + "\" for file_sd in scrape job \"" + s.jobName() + "\" does not exist");
                    }
                    for (Path f : files) {
                        List<TargetGroup> groups;
                        try {
                            groups = TargetGroupFiles.read(f);
                        } catch (ConfigException e) {
                            throw ConfigException.ofFile(name, "checking SD file \"" + pattern + "\": " + e.getMessage(), e);
                        }
                        checkTargets(name, groups, s);
                    }
                }
            }
        }
        for (AlertingConfig.AlertmanagerConfig am : c.alerting().alertmanagers()) checkHttp(name, am.http());
        return rules;
    }

    /** Prometheus's checkTargetGroupsForScrapeConfig: every target must build. */
    private static void checkTargets(String name, List<TargetGroup> groups, ScrapeConfig s) {
        for (TargetGroup g : groups) {
            for (TargetBuilder.Result r : TargetBuilder.fromGroup(g, s)) {
                if (r.error() != null) throw ConfigException.ofFile(name, r.error() + " [job=" + s.jobName() + "]", null);
            }
        }
    }

    private static void checkHttp(String name, HttpClientConfig h) {
        if (h.authorization() != null) exists(name, h.authorization().credentialsFile(), "error checking authorization credentials or bearer token file");
        if (h.basicAuth() != null) {
            exists(name, h.basicAuth().passwordFile(), "error checking basic auth password file");
            exists(name, h.basicAuth().usernameFile(), "error checking basic auth username file");
        }
        exists(name, h.tls().caFile(), "error checking CA file");
        exists(name, h.tls().certFile(), "error checking client cert file");
        exists(name, h.tls().keyFile(), "error checking client key file");
    }

    private static void exists(String name, String file, String what) {
        if (file.isEmpty()) return;
        Path p = Path.of(file);
        if (!Files.exists(p)) throw ConfigException.ofFile(name, what + " \"" + file + "\": stat " + file + ": no such file or directory", null);
        if (Files.isDirectory(p)) throw ConfigException.ofFile(name, what + " \"" + file + "\": is a directory", null);
    }
}
