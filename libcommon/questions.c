/* questions.c -- the security questions offered at registration. */
#include "questions.h"

#include <stddef.h>

const pc_question pc_questions[] = {
    { 1, "Apa nama sekolah dasar Anda?" },
    { 2, "Siapa nama sahabat masa kecil Anda?" },
    { 3, "Di kota mana ayah dan ibu Anda bertemu?" },
    { 4, "Apa nama hewan peliharaan pertama Anda?" },
    { 5, "Apa makanan kesukaan Anda waktu kecil?" },
    { 6, "Siapa nama guru favorit Anda?" },
    { 7, "Apa judul buku yang paling berkesan bagi Anda?" },
    { 8, "Di mana tempat tugas pertama Anda sebagai CPNS?" },
};
const int pc_questions_count = (int)(sizeof pc_questions / sizeof pc_questions[0]);

const pc_question *pc_question_find(int id) {
    for (int i = 0; i < pc_questions_count; i++)
        if (pc_questions[i].id == id) return &pc_questions[i];
    return NULL;
}
