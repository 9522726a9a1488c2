/*
 * decide.c — a minimal host program: decides requests against a Vigil index through libvigil.
 *
 *   cc decide.c $(pkg-config --cflags --libs vigil) -o decide
 *   ./decide INDEX_DIR < requests.tsv
 *
 * Each input line holds tab-separated fields: principal type, principal id, action type, action id, resource
 * type, resource id, context JSON (may be empty) and session id (may be empty). Each output line is the decision
 * (allow, deny or step_up), a tab, and the determining policies' ids, comma-separated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil.h>

#define MAX_FIELDS 8

static const char *effect_name(int effect) {
    switch (effect) {
    case VIGIL_ALLOW: return "allow";
    case VIGIL_STEP_UP: return "step_up";
    default: return "deny";
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s INDEX_DIR < requests.tsv\n", argv[0]);
        return 2;
    }
    vigil_index *ix = NULL;
    int rc = vigil_index_open(argv[1], 0, &ix);
    if (rc != VIGIL_OK) {
        fprintf(stderr, "decide: cannot open %s: %s\n", argv[1], vigil_strerror(rc));
        return 1;
    }
    char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *field[MAX_FIELDS] = {0};
        size_t n = 0;
        for (char *p = line; n < MAX_FIELDS; n++) {
            field[n] = p;
            char *tab = strchr(p, '\t');
            if (!tab) { n++; break; }
            *tab = '\0';
            p = tab + 1;
        }
        if (n < 6) {
            fprintf(stderr, "decide: a line needs at least 6 tab-separated fields\n");
            vigil_index_close(ix);
            return 2;
        }
        vigil_request req = {0};
        req.principal_type = field[0]; req.principal_type_len = strlen(field[0]);
        req.principal_id = field[1];   req.principal_id_len = strlen(field[1]);
        req.action_type = field[2];    req.action_type_len = strlen(field[2]);
        req.action_id = field[3];      req.action_id_len = strlen(field[3]);
        req.resource_type = field[4];  req.resource_type_len = strlen(field[4]);
        req.resource_id = field[5];    req.resource_id_len = strlen(field[5]);
        if (n > 6 && field[6][0]) { req.context_json = field[6]; req.context_json_len = strlen(field[6]); }
        if (n > 7 && field[7][0]) { req.session_id = field[7]; req.session_id_len = strlen(field[7]); }

        vigil_result res;
        rc = vigil_decide(ix, &req, &res);
        if (rc != VIGIL_OK) fprintf(stderr, "decide: %s\n", vigil_strerror(rc));
        printf("%s\t", effect_name(res.effect));
        uint32_t shown = res.determining_count < VIGIL_RESULT_MAX_POLICIES ? res.determining_count : VIGIL_RESULT_MAX_POLICIES;
        for (uint32_t i = 0; i < shown; i++) {
            char id[256], annotated[256];
            if (vigil_policy_id(ix, res.determining[i], id, sizeof id, annotated, sizeof annotated) != VIGIL_OK) continue;
            printf("%s%s", i ? "," : "", annotated[0] ? annotated : id);
        }
        printf("\n");
        fflush(stdout);  /* answer each line as it comes: the host may be driven interactively */
    }
    vigil_index_close(ix);
    return 0;
}
