/* questions.h -- the fixed list of security questions (Pertanyaan Pengaman).
 * The gateway lists them; the registration service re-validates the choice.
 * Ids are stable: a question may be retired, never renumbered. */
#ifndef PUPNS_QUESTIONS_H
#define PUPNS_QUESTIONS_H

typedef struct {
    int id;
    const char *text; /* Bahasa Indonesia */
} pc_question;

extern const pc_question pc_questions[];
extern const int pc_questions_count;

/* The question with that id, or NULL. */
const pc_question *pc_question_find(int id);

#endif
