//! Shell completion scripts, generated from the clap command tree (subcommands, their
//! options, and the operation names for `call`).
//!
//! `clap_complete` would do this too; it is not a dependency of this crate, and walking
//! `clap::Command` for bash, zsh and fish takes a few lines.

use std::fmt::Write;

use clap::Command;

/// A shell to complete for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Shell {
    /// GNU bash.
    Bash,
    /// zsh (through its bash completion emulation).
    Zsh,
    /// fish.
    Fish,
}

/// The long options (and `-h`-style shorts) of a command.
fn options(command: &Command) -> Vec<String> {
    let mut out = Vec::new();
    for arg in command.get_arguments() {
        if let Some(long) = arg.get_long() {
            out.push(format!("--{long}"));
        }
        if let Some(short) = arg.get_short() {
            out.push(format!("-{short}"));
        }
    }
    out.push("--help".into());
    out
}

/// Every (path of subcommand names, command), depth first.
fn walk<'a>(
    prefix: Vec<&'a str>,
    command: &'a Command,
    out: &mut Vec<(Vec<&'a str>, &'a Command)>,
) {
    for sub in command.get_subcommands() {
        let mut path = prefix.clone();
        path.push(sub.get_name());
        out.push((path.clone(), sub));
        walk(path, sub, out);
    }
}

fn operation_names() -> Vec<String> {
    epoint::OperationId::all()
        .flat_map(|op| {
            let tail = op.path().rsplit('/').next().unwrap_or_default().to_owned();
            [op.name().to_owned(), op.operation_id().to_owned(), tail]
        })
        .collect()
}

/// The completion script for `shell`.
pub(crate) fn generate(shell: Shell, root: &Command) -> String {
    let mut commands = Vec::new();
    walk(Vec::new(), root, &mut commands);
    let top: Vec<&str> = root.get_subcommands().map(Command::get_name).collect();
    let mut s = String::new();
    match shell {
        Shell::Bash | Shell::Zsh => {
            if shell == Shell::Zsh {
                s.push_str("#compdef epoint\nautoload -U +X bashcompinit && bashcompinit\n");
            }
            s.push_str("_epoint() {\n    local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n    local path=\"\"\n    local i\n    for ((i = 1; i < COMP_CWORD; i++)); do\n        case \"${COMP_WORDS[i]}\" in\n            -*) ;;\n            *) path=\"${path:+$path }${COMP_WORDS[i]}\" ;;\n        esac\n    done\n    local words\n    case \"$path\" in\n");
            let _ = writeln!(
                s,
                "        \"\") words=\"{} --help --version\" ;;",
                top.join(" ")
            );
            // Deepest first: `callback send …` before `callback …`.
            let mut deepest_first: Vec<_> = commands.iter().collect();
            deepest_first.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
            for (path, command) in deepest_first {
                let mut words: Vec<String> = command
                    .get_subcommands()
                    .map(|c| c.get_name().to_owned())
                    .collect();
                words.extend(options(command));
                if path.as_slice() == ["call"] {
                    words.extend(operation_names());
                }
                // Positional values already typed keep the subcommand's words.
                let _ = writeln!(
                    s,
                    "        \"{0}\"|\"{0} \"*) words=\"{1}\" ;;",
                    path.join(" "),
                    words.join(" ")
                );
            }
            s.push_str("    esac\n    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -F _epoint epoint\n");
        }
        Shell::Fish => {
            s.push_str("complete -c epoint -f\n");
            for sub in root.get_subcommands() {
                let _ = writeln!(
                    s,
                    "complete -c epoint -n __fish_use_subcommand -a {} -d '{}'",
                    sub.get_name(),
                    about(sub)
                );
            }
            for (path, command) in &commands {
                let condition = format!("__fish_seen_subcommand_from {}", path.join(" "));
                for sub in command.get_subcommands() {
                    let _ = writeln!(
                        s,
                        "complete -c epoint -n '{condition}' -a {} -d '{}'",
                        sub.get_name(),
                        about(sub)
                    );
                }
                for arg in command.get_arguments() {
                    if let Some(long) = arg.get_long() {
                        let help = arg
                            .get_help()
                            .map(|h| clean(&h.to_string()))
                            .unwrap_or_default();
                        let _ = writeln!(
                            s,
                            "complete -c epoint -n '{condition}' -l {long} -d '{help}'"
                        );
                    }
                }
                if path.as_slice() == ["call"] {
                    let _ = writeln!(
                        s,
                        "complete -c epoint -n '{condition}' -a '{}'",
                        operation_names().join(" ")
                    );
                }
            }
        }
    }
    s
}

fn about(command: &Command) -> String {
    command
        .get_about()
        .map(|a| clean(&a.to_string()))
        .unwrap_or_default()
}

/// One line, no single quotes (fish descriptions).
fn clean(text: &str) -> String {
    text.lines().next().unwrap_or_default().replace('\'', "")
}
