package dev.trawl.local.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One verb's arguments: positionals and {@code --option value} (or {@code --option=value}) pairs, an option
 * given more than once keeping every value. Options outside the verb's known set are refused, so a typo such as
 * {@code --max-deph} fails instead of being ignored.
 */
final class CliArgs {

    private final List<String> positionals = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();

    private CliArgs() {
    }

    /**
     * @param withValue options that take a value
     * @param flags     options that stand alone
     */
    static CliArgs parse(List<String> args, Set<String> withValue, Set<String> flags) {
        CliArgs parsed = new CliArgs();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.equals("--")) {
                parsed.positionals.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (flags.contains(name) && eq < 0) {
                parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (withValue.contains(name)) {
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("--" + name + " needs a value");
                }
                parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return parsed;
    }

    List<String> positionals() {
        return positionals;
    }

    /** The last value given, or null. */
    String value(String name) {
        List<String> values = options.get(name);
        return values == null ? null : values.get(values.size() - 1);
    }

    List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    /** A command line the CLI cannot act on: exit code 2 with the usage. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
