package detect

import (
	"regexp"
	"strings"
)

// Commands and file names quoted in prose. A support thread says "`ipconfig /all` and
// `ping -n 4 8.8.8.8`, then paste the output here" or "the image has `RUN pip install …
// && rm -rf /root/.cache`": shell grammar, but inside sentences. An injection opens the
// value with its break-out (the application's own data is short: a host, a file name)
// or is the whole value. So in a value that reads as prose, command and file-name
// evidence that does not start the value counts at a discount: alone it stays below the
// threshold, with other evidence it still adds up. A value that starts with the command
// is not discounted.

// proseDiscount multiplies the weight of discounted evidence.
const proseDiscount = 0.6

// proseWords are English function words: ordinary sentences have several of them,
// command lines and payloads almost none.
var proseWords = map[string]bool{
	"the": true, "a": true, "an": true, "is": true, "are": true, "was": true, "were": true,
	"be": true, "but": true, "and": true, "or": true, "to": true, "of": true, "in": true,
	"on": true, "it": true, "i": true, "my": true, "we": true, "our": true, "you": true,
	"your": true, "this": true, "that": true, "with": true, "for": true, "from": true,
	"then": true, "when": true, "why": true, "how": true, "what": true, "does": true,
	"do": true, "not": true, "can": true, "should": true, "would": true, "have": true,
	"has": true, "after": true, "before": true, "into": true, "here": true, "there": true,
	"still": true, "anyway": true, "works": true, "use": true, "run": true, "ran": true,
	"added": true, "shows": true, "asks": true, "prefer": true, "inside": true,
	"as": true, "at": true, "by": true, "so": true, "if": true, "just": true, "all": true, "no": true,
}

// proseLike reports whether s reads as sentences: at least eight words, of which at
// least three different function words, or ten words and two.
func proseLike(s string) bool { return proseWith(s, proseWords) }

// proseWordsNotSQL are the prose words that are no SQL keyword: sqlmap's "RLIKE (SELECT
// (CASE WHEN … THEN … ELSE … END)) AND …" reads as English to proseWords.
var proseWordsNotSQL = func() map[string]bool {
	m := make(map[string]bool, len(proseWords))
	for w := range proseWords {
		switch w {
		case "and", "or", "from", "then", "when", "if", "in", "as", "by", "is", "not", "all", "no", "into", "use", "do", "a":
			continue
		}
		m[w] = true
	}
	return m
}()

// proseWith is proseLike with the given set of telling words.
func proseWith(s string, proseWords map[string]bool) bool {
	words, seen := 0, 0
	// Words of up to 7 letters, lower-cased, with their length in the last byte: no
	// allocation (a map index with a converted byte slice does not copy it).
	var found [8][8]byte
	for i := 0; i < len(s); {
		for i < len(s) && !isLetter(s[i]) {
			i++
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if j == i {
			break
		}
		words++
		if n := j - i; n <= 7 && seen < len(found) {
			var w [8]byte
			for k := 0; k < n; k++ {
				w[k] = s[i+k] | 0x20
			}
			w[7] = byte(n)
			if proseWords[string(w[:n])] && !containsWord(found[:seen], w) {
				found[seen] = w
				seen++
			}
		}
		i = j
	}
	return words >= 8 && seen >= 3 || words >= 10 && seen >= 2
}

// fewSymbols reports text with fewer than one of code's brackets and operators in
// proseMaxSymbolShare bytes. Code reads as words too ("import socket … for f in
// (0,1,2)"): code-injection evidence is discounted only in prose that passes this.
func fewSymbols(s string) bool {
	sym := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', ')', '[', ']', '{', '}', '=', ';', '<', '>', '|', '&', '$', '`':
			sym++
		}
	}
	return sym*proseMaxSymbolShare < len(s)
}

// proseMaxSymbolShare: see fewSymbols.
const proseMaxSymbolShare = 8

func containsWord(ws [][8]byte, w [8]byte) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// dampQuoted discounts, in a prose value, the evidence of the quotable categories
// whose match does not start the value, and recomputes those categories' scores.
// Evidence quoted in prose also stops adding up: only the strongest counts, so a post
// with a Dockerfile's "apt-get … && rm -rf …" and a "| sort", a query and its WHERE
// clause, or /etc/passwd and /etc/shadow in a permissions cheat sheet, is not an
// attack for having several shapes at 0.6 of their weight. A break-out in prose is
// still one: libinjection reads the value as a whole. SQL
// counts as quoted only when the value reads as prose without its SQL keywords (and,
// or, then, when …), so that a long sqlmap payload is not taken for a sentence.
func (d *Detector) dampQuoted(s *scratch, rs *ruleset, norm string) {
	any := false
	for _, ci := range rs.quotable {
		any = any || s.touch[ci]
	}
	if !any {
		return
	}
	if !proseLike(norm) {
		d.dampCommandLine(s, rs, norm)
		return
	}
	sqlProse := proseWith(norm, proseWordsNotSQL)
	codeIdx := rs.catIdx["code_injection"]
	start := 0
	for start < len(norm) && strings.IndexByte(" \t\n\r'\"`", norm[start]) >= 0 {
		start++
	}
	for _, ci := range rs.quotable {
		if !s.touch[ci] {
			continue
		}
		if ci == rs.sqli && !sqlProse || ci == codeIdx && !fewSymbols(norm) {
			continue
		}
		s.rescoreQuoted(rs, ci, start+1, false)
	}
}

// rescoreQuoted recomputes category ci's score with the evidence from position from
// on discounted (proseDiscount) and counted once, by its strongest member, like a
// group; with all, the evidence before from is counted once too. Unambiguous
// patterns keep their weight and add up as usual.
func (s *scratch) rescoreQuoted(rs *ruleset, ci, from int, all bool) {
	cat := rs.cats[ci]
	s.scores[ci], s.group[ci] = 0, 0
	for i := range s.hits {
		h := &s.hits[i]
		if h.Category != cat {
			continue
		}
		quoted := h.Position >= from && !unambiguous[h.Pattern]
		if quoted {
			h.Score *= proseDiscount
		}
		if quoted || s.hitGrp[i] || all && !unambiguous[h.Pattern] {
			s.group[ci] = max(s.group[ci], h.Score)
		} else {
			s.scores[ci] = 1 - (1-s.scores[ci])*(1-h.Score)
		}
	}
}

// commandWords start the command lines people paste as a value (a snippet field, a
// "how do I" search, a README box): the whole value is the command, not data an
// injection appends one to.
var commandWords = map[string]bool{
	"cd": true, "tar": true, "wget": true, "curl": true, "git": true, "npm": true, "npx": true,
	"yarn": true, "pnpm": true, "pip": true, "pip3": true, "go": true, "cargo": true, "make": true,
	"docker": true, "kubectl": true, "helm": true, "terraform": true, "apt": true, "apt-get": true,
	"yum": true, "dnf": true, "brew": true, "export": true, "alias": true, "source": true,
	"grep": true, "find": true, "sed": true, "awk": true, "ssh": true, "scp": true, "rsync": true,
	"sudo": true, "chmod": true, "chown": true, "mkdir": true, "cp": true, "mv": true,
	"systemctl": true, "journalctl": true, "psql": true, "mysql": true, "gcloud": true, "aws": true,
	"az": true, "du": true, "df": true, "ps": true, "tail": true, "head": true, "sort": true,
	"ls": true, "bash": true, "sh": true, "zsh": true, "python": true, "python3": true, "node": true,
}

// dampCommandLine discounts, in a value that is a command line from its first word
// (wget -qO- https://… | tar xz, cd ../.. && ls, export PATH=…; source ~/.bashrc), the
// command-injection evidence after that word, and stops it adding up: separators
// between the commands of one line are its grammar, not a break-out. What a command
// line does (a reverse shell, a script fetched into a shell, /etc/passwd) is judged by
// the patterns for that, and the unambiguous ones stand.
func (d *Detector) dampCommandLine(s *scratch, rs *ruleset, norm string) {
	ci := rs.catIdx["cmdi"]
	if !s.touch[ci] {
		return
	}
	t := strings.TrimLeft(norm, " \t\r\n$>")
	end := 0
	for end < len(t) && (isLetter(t[end]) || t[end] == '-' || t[end] == '3' && end > 0) {
		end++
	}
	if end == 0 || end == len(t) || t[end] != ' ' || !commandWords[asciiLower(t[:end])] {
		return
	}
	if strings.IndexByte(t, '`') >= 0 || strings.Count(t, "'")%2 != 0 || strings.Count(t, "\"")%2 != 0 {
		return // a backtick or an unpaired quote: something breaks out of the line
	}
	if pipedIntoInterpreter.MatchString(t) {
		return // a download or a string run by a shell or interpreter: what the line does
	}
	// One command line is one piece of evidence: the strongest counts.
	s.rescoreQuoted(rs, ci, len(norm)-len(t)+end, true)
}

// pipedIntoInterpreter matches a pipe into a shell or script interpreter.
var pipedIntoInterpreter = regexp.MustCompile(`(?i)\|\s*(?:sudo\s+)?(?:(?:ba|z|k|da)?sh|python[23]?|perl|ruby|node|php)\b`)

// unambiguous are patterns whose match means one thing wherever it stands, so prose
// around it is no excuse: the Shellshock function prefix "() { :;};" and a script
// fetched from a bare IP address into a shell.
var unambiguous = map[string]bool{
	"cmdi-shellshock": true, "cmdi-fetch-ip-exec": true,
	// Log4j looks lookups up wherever they stand in a logged string, and PHP runs
	// whatever follows an open tag in a file it includes, prose around it or not.
	"ci-log4shell": true, "ci-jndi-url": true,
	"ci-php-open-tag": true, "ci-php-open-tag-start": true, "ci-php-open-tag-line": true, "ci-php-open-tag-any": true,
}

// unionShapeWeight is the weight of a UNION SELECT that is statement shape, that of
// the other shape patterns (a keyword pair, SELECT … FROM … WHERE).
const unionShapeWeight = 0.35

// selectFrom matches a complete SELECT … FROM <name>: a statement of its own.
var selectFrom = regexp.MustCompile(`(?i)\bselect\s[^;]{1,200}?\bfrom\s+[\w."\x60\[\]]+`)

// unionInStatement treats a UNION SELECT that follows a complete SELECT … FROM in the
// same value as statement shape: "SELECT id FROM a UNION ALL SELECT id FROM b" is SQL
// a post quotes, while an injection's UNION follows the application's data (1 UNION
// SELECT …, ' UNION SELECT …), with no SELECT of its own before it.
func (d *Detector) unionInStatement(s *scratch, rs *ruleset, norm string) {
	if !s.touch[rs.sqli] {
		return
	}
	first := -1
	for i := range s.hits {
		if s.hits[i].Pattern == "sqli-union-select" && !s.hitGrp[i] {
			first = i
			break
		}
	}
	if first < 0 {
		return
	}
	loc := selectFrom.FindStringIndex(norm)
	if loc == nil || loc[1] > s.hits[first].Position {
		return
	}
	s.scores[rs.sqli], s.group[rs.sqli] = 0, 0
	for i := range s.hits {
		t := &s.hits[i]
		if t.Category != "sqli" {
			continue
		}
		if t.Pattern == "sqli-union-select" && t.Position >= loc[1] {
			// Statement shape: one piece of evidence at a shape pattern's weight.
			s.hitGrp[i] = true
			t.Score = min(t.Score, unionShapeWeight)
		}
		if s.hitGrp[i] {
			s.group[rs.sqli] = max(s.group[rs.sqli], t.Score)
		} else {
			s.scores[rs.sqli] = 1 - (1-s.scores[rs.sqli])*(1-t.Score)
		}
	}
}
