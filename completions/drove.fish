# fish completion for drove(1). Subcommands and options are spelled here;
# the words that depend on a config or on past runs come from
# `drove __complete` (see src/cmd/complete.h).

# The options on the line that say where runs are, for __complete.
function __drove_where
    set -l words (commandline -opc)
    for i in (seq 2 (count $words))
        switch $words[$i]
            case --log-dir -c --config
                set -l next (math $i + 1)
                if test $next -le (count $words)
                    echo $words[$i]
                    echo $words[$next]
                end
            case '--log-dir=*' '--config=*'
                echo $words[$i]
        end
    end
end

# The config file on the line: -f FILE, FILE, or the default.
function __drove_config
    set -l words (commandline -opc)
    set -l prev
    for w in $words[2..-1]
        switch $prev
            case -f --file
                echo $w
                return
        end
        switch $w
            case '--file=*'
                string replace -- --file= '' $w
                return
            case '*.yaml' '*.yml'
                if not contains -- $prev -c --config
                    echo $w
                    return
                end
        end
        set prev $w
    end
    if test -e drove.yaml
        echo drove.yaml
    else
        echo drove.yml
    end
end

# The words after the subcommand that are not options.
function __drove_args
    set -l words (commandline -opc)
    set -l skip 0
    for w in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -f --file -c --config --log-dir --only --resume -j --jobs --set --secret --attempt --color --junit
                set skip 1
            case '-*'
            case '*'
                echo $w
        end
    end
end

function __drove_nargs
    set -l args (__drove_args)
    test (count $args) -ge 1; and test "$args[1]" = $argv[1]; and test (count $args) -eq $argv[2]
end

function __drove_runs
    echo latest
    drove (__drove_where) __complete runs 2>/dev/null
end

function __drove_run_names
    set -l args (__drove_args)
    switch $argv[1]
        case seqs
            drove (__drove_where) __complete run-sequences $args[2] 2>/dev/null
        case steps
            drove (__drove_where) __complete run-steps $args[2] $args[3] 2>/dev/null
    end
end

complete -c drove -f
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'check' -d 'validate FILE and print the plan'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'run' -d 'run the sequences in FILE'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'logs' -d 'past runs'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'review' -d 'the dashboard on a past run'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'attach' -d 'a dashboard on a live run'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'ps' -d 'the live runs'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'ctl' -d 'act on a live run'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'wait' -d 'until a live run ends'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a 'stop' -d 'stop a live run'
complete -c drove -n 'test (count (__drove_args)) -eq 0' -a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)'
complete -c drove -n '__drove_nargs check 1; or __drove_nargs run 1' -a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)'
complete -c drove -n '__drove_nargs logs 1; or __drove_nargs review 1' -a '(__drove_runs)'
complete -c drove -n '__drove_nargs attach 1; or __drove_nargs ctl 1; or __drove_nargs wait 1; or __drove_nargs stop 1' -a '(drove __complete live 2>/dev/null)'
complete -c drove -n '__drove_nargs ctl 2' -a 'retry skip kill abort pause resume mark status'
complete -c drove -n '__drove_nargs logs 2' -a '(__drove_run_names seqs)'
complete -c drove -n '__drove_nargs logs 3' -a '(__drove_run_names steps)'

complete -c drove -s f -l file -r -F -d 'the config file'
complete -c drove -l headless -d 'plain prefixed output even on a terminal'
complete -c drove -s d -l detach -d 'start the run without a dashboard; print its id'
complete -c drove -l raw -d "headless, logs: a step's bytes as they are"
complete -c drove -s j -l jobs -x -d 'run at most N sequences at once'
complete -c drove -l set -x -d 'set a variable: NAME=VALUE'
complete -c drove -l secret -x -d 'set a secret variable: NAME=VALUE'
complete -c drove -l log-dir -x -a '(__fish_complete_directories)' -d 'the directory of the runs'
complete -c drove -l exit-when-done -d 'dashboard: exit when everything has finished'
complete -c drove -l fail-on-skip -d 'a skipped step makes the exit status 1'
complete -c drove -l attempt -x -d 'logs: which attempt of a step'
complete -c drove -s c -l config -r -F -d 'logs, review: look for runs in the log_dir of FILE'
complete -c drove -l only -x -a '(drove __complete sequences (__drove_config) 2>/dev/null)' -d 'run only the sequences that match'
complete -c drove -l resume -x -a '(__drove_runs)' -d 'start where RUN failed'
complete -c drove -l color -x -a 'auto always never' -d 'when to use colours'
complete -c drove -l json -d 'check, logs: print JSON'
complete -c drove -l junit -r -F -d 'logs RUN: write a JUnit XML report'
complete -c drove -s h -l help -d 'show the help'
complete -c drove -s V -l version -d 'print the version'
