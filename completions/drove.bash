# bash completion for drove(1)                             -*- shell-script -*-
# Subcommands and options are spelled here; the words that depend on a
# config or on past runs come from `drove __complete` (see src/cmd/complete.h).

# The options of the command line that say where runs are: for __complete.
_drove_where()
{
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
        --log-dir | -c | --config)
            printf '%s\n' "${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}" ;;
        --log-dir=* | --config=*) printf '%s\n' "${COMP_WORDS[i]}" ;;
        esac
    done
}

# The config file the command line names: -f FILE, FILE, or the default.
_drove_config()
{
    local i w prev=
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        ((i == COMP_CWORD)) && { prev=$w; continue; }
        case $prev in
        -f | --file) printf '%s\n' "$w"; return ;;
        esac
        case $w in
        --file=*) printf '%s\n' "${w#--file=}"; return ;;
        *.yaml | *.yml)
            case $prev in
            -c | --config) ;;
            *) printf '%s\n' "$w"; return ;;
            esac ;;
        esac
        prev=$w
    done
    [[ -e drove.yaml ]] && { echo drove.yaml; return; }
    echo drove.yml
}

# Add to COMPREPLY the lines of stdin that start with $1, quoted for bash.
_drove_add()
{
    local w
    while IFS= read -r w; do
        [[ $w == "$1"* ]] && COMPREPLY+=("$(printf '%q' "$w")")
    done
}

# `latest` and the run ids, newest first.
_drove_runs()
{
    echo latest
    drove "${where[@]}" __complete runs 2>/dev/null
}

# The runs that serve a socket (attach, ctl, wait, stop), newest first.
_drove_live()
{
    drove __complete live 2>/dev/null
}

# Directories and YAML files.
_drove_files()
{
    local f
    compopt -o filenames 2>/dev/null
    while IFS= read -r f; do
        if [[ -d $f || $f == *.yaml || $f == *.yml ]]; then
            COMPREPLY+=("$f")
        fi
    done < <(compgen -f -- "$1")
}

_drove()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local i cmd= npos=0 w
    local -a pos=() where=()
    COMPREPLY=()
    # What the user typed, without its quoting.
    cur=${cur//\\/}; cur=${cur#[\"\']}
    mapfile -t where < <(_drove_where)

    case $prev in
    -f | --file | -c | --config) _drove_files "$cur"; return ;;
    --log-dir) compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --only) _drove_add "$cur" < <(drove __complete sequences \
        "$(_drove_config)" 2>/dev/null); return ;;
    --resume) _drove_add "$cur" < <(_drove_runs); return ;;
    --color) COMPREPLY=($(compgen -W 'auto always never' -- "$cur")); return ;;
    -j | --jobs | --set | --secret | --attempt) return ;;
    --junit) compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    if [[ $cur == --color=* ]]; then
        COMPREPLY=($(compgen -W 'auto always never' -- "${cur#--color=}"))
        return
    fi
    # The words before this one that are not options nor their values.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        -f | --file | -c | --config | --log-dir | --only | --resume | \
            -j | --jobs | --set | --secret | --attempt | --color | --junit) ((i++)) ;;
        -*) ;;
        *) pos+=("$w") ;;
        esac
    done
    cmd=${pos[0]-}
    npos=${#pos[@]}
    if [[ $cur == -* ]]; then
        # The options of the subcommand typed, else those of a run.
        local opts='-f --file --headless -d --detach -j --jobs --set --secret
            --log-dir --exit-when-done --fail-on-skip --raw -c --config --only
            --resume --color= -h --help -V --version'
        case $cmd in
        check) opts='-f --file --set --secret --json -h --help' ;;
        logs) opts='--log-dir -c --config --attempt --json --junit --raw
            --fail-on-skip -h --help' ;;
        review) opts='--log-dir -c --config -h --help' ;;
        ps | ctl) opts='--json -h --help' ;;
        attach | wait | stop) opts='-h --help' ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi

    case $cmd in
    logs)
        case $npos in
        1) _drove_add "$cur" < <(_drove_runs) ;;
        2) _drove_add "$cur" < <(drove "${where[@]}" __complete \
            run-sequences "${pos[1]}" 2>/dev/null) ;;
        3) _drove_add "$cur" < <(drove "${where[@]}" __complete \
            run-steps "${pos[1]}" "${pos[2]}" 2>/dev/null) ;;
        esac ;;
    review)
        ((npos == 1)) && _drove_add "$cur" < <(_drove_runs) ;;
    attach | wait | stop)
        ((npos == 1)) && _drove_add "$cur" < <(_drove_live) ;;
    ctl)
        case $npos in
        1) _drove_add "$cur" < <(_drove_live) ;;
        2) COMPREPLY=($(compgen -W 'retry skip kill abort pause resume mark
            status' -- "$cur")) ;;
        esac ;;
    check | run) ((npos == 1)) && _drove_files "$cur" ;;
    '')
        COMPREPLY=($(compgen -W 'check run logs review attach ps ctl wait
            stop' -- "$cur"))
        _drove_files "$cur" ;;
    esac
}
complete -F _drove drove
