/* Statistics rules (issue 10, DESIGN.md §2): exact survey arithmetic,
 * rankings and open days. No I/O; db/stats reads the numbers, web/stats
 * builds the model.
 *
 * Rules:
 *  - Sums are integers. score = Σ/n, percent = Σ×10/n, response rate =
 *    per-visit responses × 100 / entries; each is rounded half up to two
 *    decimals from the exact fraction, in integer arithmetic: Σ = 9,173 over
 *    n = 1,000 gives "9.17" and "91.73". No value when the denominator is 0.
 *  - Roll-ups are respondent-weighted: a province's Σ and n are the sums of
 *    its districts' (never an average of averages).
 *  - Rankings are competition rankings (1, 2, 2, 4) among a unit's siblings,
 *    larger first; equal values (exact fractions) share a position.
 *    Satisfaction ranks only units with at least rank_min_responses
 *    responses; users per open day only units with at least one open day
 *    (per staffed day where the district keeps a roster: stats_day_basis).
 *  - Movement = previous position − position (positive: moved up), against
 *    the previous closed period; none when either position is missing.
 *  - Open days of a point in a range: the days its status history says it
 *    was open; a Saturday, Sunday or public holiday counts only when the
 *    point served someone that day (it was open after all). */
#ifndef OSSPOINT_CORE_STATS_H
#define OSSPOINT_CORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/thai.h"

#define STATS_DEC_SIZE         32 /* "-9223372036854775808.00" + NUL fits */
#define STATS_RANK_MIN_DEFAULT 30
#define STATS_RANK_MIN_MAX     1000000

/* num/den rounded half up to two decimals, as text ("9.17"). num >= 0,
 * den > 0. Returns 0, or -1 (out = "") for a negative num or den <= 0. */
int stats_decimal2(int64_t num, int64_t den, char out[STATS_DEC_SIZE]);
/* Σ/n, Σ×10/n and part×100/whole through stats_decimal2 (0 or -1). */
int stats_score(int64_t sum, int64_t n, char out[STATS_DEC_SIZE]);
int stats_percent(int64_t sum, int64_t n, char out[STATS_DEC_SIZE]);
int stats_rate(int64_t part, int64_t whole, char out[STATS_DEC_SIZE]);

/* The numbers of one unit in one period (or fiscal year). */
struct stats_num {
	int64_t users;        /* registry entries */
	int64_t transactions; /* services given */
	int64_t survey_n;     /* every response */
	int64_t survey_point_n;
	int64_t survey_visit_n;
	int64_t survey_sum;   /* Σ overall */
	int64_t open_days;    /* point-days open (a province: the sum of its districts') */
	int64_t staffed_days; /* days someone was on duty by the roster (0: no roster);
	                       * replaces open_days for users per day when > 0 */
};

/* The days users per day is counted by (issue 10): the roster's staffed
 * days where the unit keeps a roster (staffed_days > 0), else open days. */
int64_t stats_day_basis(const struct stats_num *x);
/* Whether stats_day_basis is the roster's staffed days. */
bool stats_uses_staffed_days(const struct stats_num *x);

/* a += b, every field. */
void stats_num_add(struct stats_num *a, const struct stats_num *b);

/* -1, 0, 1 as num_a/den_a is below, equal to, above num_b/den_b (dens > 0). */
int stats_frac_cmp(int64_t num_a, int64_t den_a, int64_t num_b, int64_t den_b);

enum stats_ranking {
	STATS_RANK_USERS,        /* by users served */
	STATS_RANK_SATISFACTION, /* by score, n >= rank_min_responses */
	STATS_RANK_PER_DAY,      /* by users per open day, open_days >= 1 */
	STATS_RANK__COUNT
};

/* Competition ranking of n siblings by the given ranking: pos[i] = 1 + the
 * number of eligible siblings strictly above i, or 0 when i is not eligible
 * (satisfaction: fewer than min_responses responses; per day: no open day).
 * Returns how many were ranked (the "of"). */
size_t stats_rank(const struct stats_num *nums, size_t n, enum stats_ranking how, int64_t min_responses,
                  int *pos);

/* Why unit i is not ranked (Thai, one line, into out), for a pos of 0. */
void stats_unranked_reason(enum stats_ranking how, const struct stats_num *num, int64_t min_responses,
                           char *out, size_t cap);
/* The one-line Thai explanation of a ranking (static text). */
const char *stats_ranking_explain(enum stats_ranking how);
/* The model's key of a ranking: "rank", "rank_satisfaction", "rank_per_day". */
const char *stats_ranking_key(enum stats_ranking how);

/* prev_pos − pos; *has = false (and 0) when either is 0 (not ranked). */
int stats_movement(int prev_pos, int pos, bool *has);

/* A change of a point's status, taking effect on day `since` (days since
 * 1970-01-01, thai_days_from_civil). */
struct stats_status_change {
	int64_t since;
	bool open;
};

/* The open days of a point in [first, last] (day numbers, inclusive).
 * initial_open: its status before the first change. changes, holidays and
 * active (days it served someone) are sorted ascending (holidays and active
 * may hold days outside the range). Returns the count (0 for an empty
 * range). */
int64_t stats_open_days(int64_t first, int64_t last, bool initial_open,
                        const struct stats_status_change *changes, size_t nchanges, const int64_t *holidays,
                        size_t nholidays, const int64_t *active, size_t nactive);

#endif
