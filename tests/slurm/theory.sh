# Sourced by tests/slurm/test_slurm.sh twice: with theory_phase=submit before it waits for its
# jobs, and with theory_phase=check after. jobs/theory_ktimes.sh (issue 13, docs/theory.md)
# with THEORY_SIZE=small on the test cluster: two SLURM arrays (ktimes_small: 8 tasks,
# ktimes_exaggerate_small: 12 tasks, one rank each) and the dependent job that collects them
# (stratsim collect) and runs analysis/rates.py. Checks: every job completed with exit 0, the
# collected CSVs are byte-identical to 1-rank runs of the same configs here, and the rates table
# written on the cluster is byte-identical to rates.py's on those local runs (its Dictator row at
# the theory's slope -1, consistent).
# Uses test_slurm.sh's $work, $X, $MPI, $python, ids, pass/fail/check, job_ok, same_csvs.
th_cfgs="ktimes_small ktimes_exaggerate_small"
if [ "$theory_phase" = submit ]; then
    theory_rates_id=$(THEORY_OUT=$work/theory THEORY_SIZE=small THEORY_LOGS=$work/logs \
        $X jobs/theory_ktimes.sh -n 1 -o "$work/logs/theory-%A_%a.out" 2> "$work/logs/theory.err")
    theory_array_ids=$(sed -n 's/^theory_submit.sh: .* -> array job \([0-9][0-9]*\)$/\1/p' "$work/logs/theory.err" | tr '\n' ' ')
    if [ -n "$theory_rates_id" ] && [ "$(echo $theory_array_ids | wc -w)" = 2 ]; then
        ids+=($theory_array_ids "$theory_rates_id")
    else
        fail "jobs/theory_ktimes.sh (THEORY_SIZE=small): $(cat "$work/logs/theory.err")"
        theory_rates_id=
    fi
    for c in $th_cfgs; do
        $MPI -n 1 bin/stratsim run "configs/theory/$c.yaml" --out "$work/theory-ref/$c" --quiet \
            > "$work/logs/theory-ref-$c.log" 2>&1 || fail "1-rank reference run of configs/theory/$c.yaml"
    done
    "$python" analysis/rates.py "$work/theory-ref/ktimes_small" "$work/theory-ref/ktimes_exaggerate_small" \
        --out "$work/theory-ref/rates" > "$work/logs/theory-ref-rates.log" 2>&1 || fail "rates.py on the 1-rank ktimes runs"
elif [ -n "${theory_rates_id:-}" ]; then
    for id in $theory_array_ids; do
        check "jobs/theory_ktimes.sh (small): array $id completed with exit code 0" job_ok "$id"
    done
    check "jobs/theory_ktimes.sh (small): collect + rates job $theory_rates_id completed with exit code 0" job_ok "$theory_rates_id"
    for c in $th_cfgs; do
        check "theory $c: the array's collected CSVs byte-identical to 1 rank" \
            same_csvs "$work/theory-ref/$c" "$work/theory/$c/all"
    done
    check "theory ktimes: rates.csv from the cluster job byte-identical to rates.py on the 1-rank runs" \
        cmp -s "$work/theory-ref/rates/rates.csv" "$work/theory/ktimes-rates/rates.csv"
    check "theory ktimes: the Dictator's SW ratio slope is the theory's -1 (consistent)" \
        grep -q '^Thm 3.5 SW ratio vs k,Dictator,-1\.00[0-9]*,.*,-1,<=,yes,' "$work/theory/ktimes-rates/rates.csv"
fi
