/* import.c — CSV and Markdown question import: parse, validate, keep the good, report the bad. */
#include "quiz/import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "quiz/grade.h"
#include "util.h"

/* ---------------------------------------------------------------- results */

static void add_error(qi_result *r, int line, const char *key)
{
	if ((r->nerrors & (r->nerrors - 1)) == 0)
		r->errors = xrealloc(r->errors, (size_t)(r->nerrors ? r->nerrors * 2 : 1) * sizeof *r->errors);
	r->errors[r->nerrors].line = line;
	r->errors[r->nerrors].key = key;
	r->nerrors++;
}

/* Takes ownership of *q (left initialised). */
static void add_item(qi_result *r, int line, const char *section, question *q)
{
	if ((r->nitems & (r->nitems - 1)) == 0)
		r->items = xrealloc(r->items, (size_t)(r->nitems ? r->nitems * 2 : 1) * sizeof *r->items);
	qi_item *it = &r->items[r->nitems++];
	it->line = line;
	it->section = xstrdup(section ? section : "");
	it->q = *q;
	q_init(q);
}

void qi_free(qi_result *r)
{
	for (int i = 0; i < r->nitems; i++) {
		free(r->items[i].section);
		q_free(&r->items[i].q);
	}
	free(r->items);
	free(r->errors);
	memset(r, 0, sizeof *r);
}

/* Refuses the whole file: drops what was parsed, leaves one error. */
static int refuse(qi_result *r, int line, const char *key)
{
	qi_free(r);
	add_error(r, line, key);
	return -1;
}

/* ---------------------------------------------------------------- shared text helpers */

/* Splits s at any of the separators seps[0..nseps) (UTF-8 strings). A backslash before a
   separator makes it literal ("\|" is a "|" inside an option); any other backslash is kept.
   Calls emit(q, arg, piece) for every piece, trimmed, including empty ones. */
static void split(const char *s, const char *const *seps, int nseps, question *q, int arg,
		  void (*emit)(question *, int, const char *))
{
	buf piece;
	buf_init(&piece);
	for (;;) {
		int sep = -1;
		size_t sl = 0;
		if (*s) {
			const char *t = s[0] == '\\' ? s + 1 : s;
			for (int k = 0; k < nseps; k++) {
				sl = strlen(seps[k]);
				if (strncmp(t, seps[k], sl) == 0) {
					sep = k;
					break;
				}
			}
			if (sep >= 0 && s[0] == '\\') { /* escaped: literal separator */
				buf_add(&piece, t, sl);
				s = t + sl;
				continue;
			}
		}
		if (!*s || sep >= 0) {
			char *p = q_trim(piece.p ? piece.p : "");
			emit(q, arg, p);
			free(p);
			piece.len = 0;
			if (piece.p)
				piece.p[0] = '\0';
			if (!*s)
				break;
			s += sl;
			continue;
		}
		buf_putc(&piece, *s++);
	}
	buf_free(&piece);
}

static void emit_option(question *q, int arg, const char *p)
{
	q_add_option(q, p); /* empty options are kept: q_validate names them */
}

static void emit_tag(question *q, int arg, const char *p)
{
	if (p[0])
		q_add_tag(q, p);
}

static void emit_accepted(question *q, int b, const char *p)
{
	if (p[0])
		q_add_accepted(q, b, p);
}

static void emit_blank(question *q, int arg, const char *p)
{
	static const char *const alt[] = { "|", "｜" };
	int b = q_add_blank(q);
	split(p, alt, 2, q, b, emit_accepted);
}

static const char *const opt_seps[] = { "|", "｜" };
static const char *const tag_seps[] = { "|", "｜", ",", "，", "、", ";", "；" };
static const char *const blank_seps[] = { ";", "；" };

/* Fill answers: blanks separated by ; or ；, alternatives inside a blank by |. */
static void parse_blanks(question *q, const char *s)
{
	split(s, blank_seps, 2, q, 0, emit_blank);
}

/* 0 for a word meaning true (对), 1 for false (错), -1 otherwise. */
static int tf_word(const char *s)
{
	static const char *const yes[] = { "对", "正确", "是", "√", "✓", "✔", "t", "true", "y", "yes" };
	static const char *const no[] = { "错", "错误", "否", "×", "✗", "✘", "f", "false", "n", "no" };
	char *f = q_fold(s);
	int r = -1;
	for (size_t i = 0; i < ARRAY_LEN(yes) && r < 0; i++)
		if (strcmp(f, yes[i]) == 0)
			r = 0;
	for (size_t i = 0; i < ARRAY_LEN(no) && r < 0; i++)
		if (strcmp(f, no[i]) == 0)
			r = 1;
	free(f);
	return r;
}

/* Option letters "A", "ACD", "A,C,D", "A|C", "A、C" (full-width letters too) → answer indexes.
   Returns -1 on any other character. Range and repeats are q_validate's business. */
static int parse_letters(question *q, const char *s)
{
	char *f = q_fold(s);
	int ok = 1;
	for (const char *p = f; *p && ok; p++) {
		if (*p >= 'a' && *p <= 'z')
			q_add_answer(q, *p - 'a');
		else if (*p == ',' || *p == '|' || *p == ';' || *p == ' ' || *p == '/')
			continue;
		else if (strncmp(p, "，", 3) == 0 || strncmp(p, "、", 3) == 0 || strncmp(p, "；", 3) == 0)
			p += 2;
		else
			ok = 0;
	}
	free(f);
	return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- CSV */

/* Index of the option whose text equals s after folding (a truefalse answer written as one of
   its own options, e.g. "错误" for options 正确|错误), or -1. */
static int option_named(const question *q, const char *s)
{
	char *f = q_fold(s);
	int r = -1;
	for (int i = 0; i < q->noptions && r < 0; i++) {
		char *o = q_fold(q->options[i]);
		if (f[0] && strcmp(f, o) == 0)
			r = i;
		free(o);
	}
	free(f);
	return r;
}

/* Builds one question from a good CSV row; 0, or -1 with *key set. */
static int csv_question(char **f, int nf, question *q, const char **key)
{
	q_init(q);
	q->type = q_type_parse(f[0]);
	if (q->type == Q_TYPE_UNKNOWN) {
		*key = qv_key(QV_TYPE_UNKNOWN);
		return -1;
	}
	q->stem = xstrdup(f[1]);
	char *opts = q_trim(f[2]);
	if (opts[0])
		split(opts, opt_seps, 2, q, 0, emit_option);
	free(opts);
	char *ans = q_trim(f[3]);
	int rc = 0;
	if (q->type == Q_FILL) {
		if (ans[0])
			parse_blanks(q, ans);
	} else if (q->type == Q_TRUEFALSE) {
		int w = option_named(q, ans);
		if (w < 0)
			w = tf_word(ans);
		if (w >= 0)
			q_add_answer(q, w);
		else if (ans[0] && parse_letters(q, ans) < 0) {
			*key = "quiz.import.tf_answer";
			rc = -1;
		}
	} else if (parse_letters(q, ans) < 0) {
		*key = "quiz.import.answer_letters";
		rc = -1;
	}
	free(ans);
	if (rc < 0)
		return -1;
	q->explanation = xstrdup(nf > 4 ? f[4] : "");
	if (nf > 5)
		split(f[5], tag_seps, (int)ARRAY_LEN(tag_seps), q, 0, emit_tag);
	q_normalize(q);
	q_error e;
	if (q_validate(q, &e) < 0) {
		*key = qv_key(e.code);
		return -1;
	}
	return 0;
}

static int all_empty(char **f, int nf)
{
	for (int i = 0; i < nf; i++) {
		char *t = q_trim(f[i]);
		int empty = !t[0];
		free(t);
		if (!empty)
			return 0;
	}
	return 1;
}

int qi_parse_csv(const char *text, size_t len, qi_result *out)
{
	memset(out, 0, sizeof *out);
	csv_doc doc;
	if (csv_parse(text, len, &doc) < 0) {
		int line = doc.err_line;
		csv_free(&doc);
		return refuse(out, line ? line : 1, "quiz.import.too_large");
	}
	int rc = 0;
	for (int i = 0; i < doc.nrows; i++) {
		const csv_row *row = &doc.rows[i];
		if (row->nfields < 0) {
			add_error(out, row->line, "quiz.import.csv_syntax");
			continue;
		}
		int utf8 = 1;
		for (int k = 0; k < row->nfields && utf8; k++)
			utf8 = utf8_ok(row->fields[k], strlen(row->fields[k]));
		if (!utf8) {
			add_error(out, row->line, "quiz.import.not_utf8");
			continue;
		}
		if (all_empty(row->fields, row->nfields))
			continue;
		if (i == 0 || (out->nitems == 0 && out->nerrors == 0)) {
			char *h = q_fold(row->fields[0]);
			int header = strcmp(h, "type") == 0 || strcmp(h, "题型") == 0;
			free(h);
			if (header)
				continue;
		}
		if (row->nfields < 4 || row->nfields > 6) {
			add_error(out, row->line, "quiz.import.columns");
			continue;
		}
		if (out->nitems >= QI_MAX_QUESTIONS) {
			rc = refuse(out, row->line, "quiz.import.too_many");
			break;
		}
		question q;
		const char *key = NULL;
		if (csv_question(row->fields, row->nfields, &q, &key) < 0)
			add_error(out, row->line, key);
		else
			add_item(out, row->line, "", &q);
		q_free(&q);
	}
	csv_free(&doc);
	return rc;
}

/* ---------------------------------------------------------------- Markdown */

enum { CONT_NONE, CONT_STEM, CONT_EXPL };

/* The question being read. */
typedef struct mdq {
	int active;
	int line;                 /* the "## " line */
	int err_line;             /* first problem, 0 when none */
	const char *err_key;
	question q;               /* stem, options, explanation, tags as read */
	int checked[Q_MAX_OPTIONS + 1];
	int opt_line[Q_MAX_OPTIONS + 1];
	int nopt;                 /* option lines seen (q.noptions stops at Q_MAX_OPTIONS + 1) */
	char *answer;             /* text of the 答案 line */
	int answer_line, expl_line, tags_line, type_line;
	q_type type;              /* from a 类型 line, else Q_TYPE_UNKNOWN */
	int cont;
} mdq;

static void mdq_problem(mdq *m, int line, const char *key)
{
	if (!m->err_line) {
		m->err_line = line;
		m->err_key = key;
	}
}

static void mdq_reset(mdq *m)
{
	q_free(&m->q);
	free(m->answer);
	memset(m, 0, sizeof *m);
	q_init(&m->q);
	m->type = Q_TYPE_UNKNOWN;
}

/* A fill-in stem marks its blanks with at least three underscores or empty brackets. */
static int has_blank_marker(const char *s)
{
	return strstr(s, "___") || strstr(s, "（）") || strstr(s, "（ ）") || strstr(s, "（　）") ||
	       strstr(s, "()") || strstr(s, "( )");
}

/* The line of a validation error's field. */
static int error_line(const mdq *m, const q_error *e)
{
	int l = 0;
	if (!e->field)
		l = 0;
	else if (strcmp(e->field, "options") == 0)
		l = e->index >= 0 && e->index < m->nopt ? m->opt_line[e->index] : m->nopt ? m->opt_line[0] : 0;
	else if (strcmp(e->field, "answer") == 0)
		l = m->answer_line; /* else the question's line: "no right option" is about the whole */
	else if (strcmp(e->field, "explanation") == 0)
		l = m->expl_line;
	else if (strcmp(e->field, "tags") == 0)
		l = m->tags_line;
	else if (strcmp(e->field, "type") == 0)
		l = m->type_line;
	return l ? l : m->line;
}

/* Ends the question being read: keeps it when good, reports it when bad. */
static void mdq_finish(mdq *m, qi_result *r, const char *section)
{
	if (!m->active)
		return;
	question *q = &m->q;
	if (m->err_line)
		goto bad;
	q_type t = m->type;
	if (t == Q_TYPE_UNKNOWN) {
		if (m->nopt) {
			int nright = 0;
			for (int i = 0; i < m->nopt; i++)
				nright += m->checked[i];
			t = nright >= 2 ? Q_MULTIPLE : Q_SINGLE;
		} else if (m->answer && tf_word(m->answer) >= 0 && !has_blank_marker(q->stem ? q->stem : "")) {
			t = Q_TRUEFALSE;
		} else {
			t = Q_FILL;
		}
	}
	q->type = t;
	if (m->nopt && m->answer && t != Q_FILL) {
		mdq_problem(m, m->answer_line, "quiz.import.md_answer_with_options");
		goto bad;
	}
	if (t == Q_FILL) {
		if (m->answer)
			parse_blanks(q, m->answer);
	} else if (m->nopt) {
		for (int i = 0; i < m->nopt; i++)
			if (m->checked[i])
				q_add_answer(q, i);
	} else if (t == Q_TRUEFALSE && m->answer) {
		int w = tf_word(m->answer);
		if (w < 0) {
			mdq_problem(m, m->answer_line, "quiz.import.tf_answer");
			goto bad;
		}
		q_add_answer(q, w);
	} else if (m->answer) { /* single or multiple declared by 类型 but without option lines */
		mdq_problem(m, m->answer_line, "quiz.import.md_answer_with_options");
		goto bad;
	}
	q_normalize(q);
	q_error e;
	if (q_validate(q, &e) < 0) {
		mdq_problem(m, error_line(m, &e), qv_key(e.code));
		goto bad;
	}
	add_item(r, m->line, section, q);
	mdq_reset(m);
	return;
bad:
	add_error(r, m->err_line, m->err_key);
	mdq_reset(m);
}

/* Appends "\n" + text to *field. */
static void append_line(char **field, const char *text)
{
	buf b;
	buf_init(&b);
	buf_puts(&b, *field ? *field : "");
	if (b.len)
		buf_putc(&b, '\n');
	buf_puts(&b, text);
	free(*field);
	*field = buf_steal(&b);
}

/* Strips a question number: "1." "1、" "1．" "1)" "1）" "(1)" "（1）" "第1题", then spaces. */
static const char *skip_number(const char *s)
{
	const char *p = s;
	if (strncmp(p, "第", 3) == 0) {
		const char *d = p + 3;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > p + 3 && strncmp(d, "题", 3) == 0)
			p = d + 3;
	} else if (*p == '(' || strncmp(p, "（", 3) == 0) {
		const char *d = p + (*p == '(' ? 1 : 3);
		const char *ds = d;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > ds && *d == ')')
			p = d + 1;
		else if (d > ds && strncmp(d, "）", 3) == 0)
			p = d + 3;
	} else {
		const char *d = p;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > p) {
			if (*d == '.' || *d == ')')
				p = d + 1;
			else if (strncmp(d, "、", 3) == 0 || strncmp(d, "．", 3) == 0 || strncmp(d, "）", 3) == 0)
				p = d + 3;
		}
	}
	if (p == s)
		return s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "　", 3) == 0)
		p += 3;
	return p;
}

enum { KEY_NONE, KEY_ANSWER, KEY_EXPL, KEY_TAGS, KEY_TYPE };

/* Recognises "答案：…" (and 解析, 标签, 类型/题型, or English answer/explanation/tags/type), with
   a full-width or ASCII colon and optional spaces before it; *value points after the colon. */
static int key_line(const char *s, const char **value)
{
	static const struct {
		const char *word;
		int key;
	} keys[] = {
		{ "答案", KEY_ANSWER }, { "解析", KEY_EXPL }, { "标签", KEY_TAGS }, { "类型", KEY_TYPE },
		{ "题型", KEY_TYPE }, { "answer", KEY_ANSWER }, { "explanation", KEY_EXPL }, { "tags", KEY_TAGS },
		{ "type", KEY_TYPE },
	};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		size_t n = strlen(keys[i].word);
		if (strncasecmp(s, keys[i].word, n) != 0)
			continue;
		const char *p = s + n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ':')
			p++;
		else if (strncmp(p, "：", 3) == 0)
			p += 3;
		else
			continue;
		*value = p;
		return keys[i].key;
	}
	return KEY_NONE;
}

/* "- [x] text": returns 1 (checked) or 0 (unchecked) with *text set; -1 for a bullet whose box
   is malformed or missing; -2 when the line is not a bullet at all. */
static int option_line(const char *s, const char **text)
{
	if (!((s[0] == '-' || s[0] == '*' || s[0] == '+') && (s[1] == ' ' || s[1] == '\t')))
		return -2;
	const char *p = s + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[')
		return -1;
	const char *close = strchr(p, ']');
	if (!close)
		return -1;
	char *inner = xstrndup(p + 1, (size_t)(close - p - 1));
	char *box = q_fold(inner);
	free(inner);
	int r;
	if (!box[0])
		r = 0;
	else if (strcmp(box, "x") == 0 || strcmp(box, "√") == 0 || strcmp(box, "✓") == 0 ||
		 strcmp(box, "✔") == 0)
		r = 1;
	else
		r = -1;
	free(box);
	*text = close + 1;
	return r;
}

int qi_parse_md(const char *text, size_t len, qi_result *out)
{
	memset(out, 0, sizeof *out);
	if (!text)
		len = 0;
	size_t pos = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	char *section = xstrdup("");
	mdq m;
	memset(&m, 0, sizeof m);
	mdq_reset(&m);
	int rc = 0;
	int lineno = 0, nquestions = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && text[e] != '\n' && text[e] != '\r')
			e++;
		lineno++;
		int utf8 = utf8_ok(text + pos, e - pos);
		char *raw = xstrndup(text + pos, e - pos);
		pos = e;
		if (pos < len && text[pos++] == '\r' && pos < len && text[pos] == '\n')
			pos++; /* CRLF; a lone CR or LF is one line end too */
		char *line = q_trim(raw);
		free(raw);
		const char *val;
		int opt;
		if (!utf8) {
			if (m.active)
				mdq_problem(&m, lineno, "quiz.import.not_utf8");
			else
				add_error(out, lineno, "quiz.import.not_utf8");
		} else if (!line[0]) {
			/* blank lines separate nothing: continuations run on across them */
		} else if (strncmp(line, "##", 2) == 0 && (line[2] == ' ' || line[2] == '\t' || !line[2])) {
			mdq_finish(&m, out, section);
			if (++nquestions > QI_MAX_QUESTIONS) {
				free(line);
				rc = refuse(out, lineno, "quiz.import.too_many");
				break;
			}
			m.active = 1;
			m.line = lineno;
			char *stem = q_trim(line + 2);
			m.q.stem = xstrdup(skip_number(stem));
			free(stem);
			m.cont = CONT_STEM;
		} else if (line[0] == '#' && (line[1] == ' ' || line[1] == '\t')) {
			mdq_finish(&m, out, section);
			free(section);
			section = q_trim(line + 1);
		} else if (!m.active) {
			if (key_line(line, &val) != KEY_NONE || option_line(line, &val) != -2)
				add_error(out, lineno, "quiz.import.md_outside");
			/* other text before the first question is a preface: ignored */
		} else if ((opt = option_line(line, &val)) != -2) {
			m.cont = CONT_NONE;
			if (opt < 0) {
				mdq_problem(&m, lineno, "quiz.import.md_option_syntax");
			} else if (m.nopt >= Q_MAX_OPTIONS) {
				mdq_problem(&m, lineno, qv_key(QV_TOO_MANY_OPTIONS));
			} else {
				if (m.answer) /* options after the 答案 line */
					mdq_problem(&m, m.answer_line, "quiz.import.md_answer_with_options");
				m.checked[m.nopt] = opt;
				m.opt_line[m.nopt] = lineno;
				m.nopt++;
				char *t = q_trim(val);
				q_add_option(&m.q, t);
				free(t);
			}
		} else {
			int k = key_line(line, &val);
			char *v = k != KEY_NONE ? q_trim(val) : NULL;
			int *seen = k == KEY_ANSWER ? &m.answer_line
				    : k == KEY_EXPL ? &m.expl_line
				    : k == KEY_TAGS ? &m.tags_line
				    : k == KEY_TYPE ? &m.type_line
						    : NULL;
			if (seen && *seen) {
				mdq_problem(&m, lineno, "quiz.import.md_duplicate_key");
			} else if (k == KEY_ANSWER) {
				m.answer_line = lineno;
				m.answer = xstrdup(v);
				m.cont = CONT_NONE;
			} else if (k == KEY_EXPL) {
				m.expl_line = lineno;
				free(m.q.explanation);
				m.q.explanation = xstrdup(v);
				m.cont = CONT_EXPL;
			} else if (k == KEY_TAGS) {
				m.tags_line = lineno;
				split(v, tag_seps, (int)ARRAY_LEN(tag_seps), &m.q, 0, emit_tag);
				m.cont = CONT_NONE;
			} else if (k == KEY_TYPE) {
				m.type_line = lineno;
				m.type = q_type_parse(v);
				if (m.type == Q_TYPE_UNKNOWN)
					mdq_problem(&m, lineno, qv_key(QV_TYPE_UNKNOWN));
				m.cont = CONT_NONE;
			} else if (m.cont == CONT_STEM) {
				append_line(&m.q.stem, line);
			} else if (m.cont == CONT_EXPL) {
				append_line(&m.q.explanation, line);
			} else {
				mdq_problem(&m, lineno, "quiz.import.md_stray_line");
			}
			free(v);
		}
		free(line);
	}
	if (rc == 0)
		mdq_finish(&m, out, section);
	mdq_reset(&m);
	q_free(&m.q);
	free(section);
	return rc;
}
