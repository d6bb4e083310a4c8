package contact

import "strings"

// knownTLDs are the top-level domains whose addresses count as deliverable offline: every two-letter
// country code (checked by shape below) plus the common generic ones. An address under any other TLD is
// "unknown", not "invalid": new gTLDs are real, we just cannot vouch for them without a DNS lookup.
var knownTLDs = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat
		io co ai app dev cloud tech online site store shop blog xyz top me tv cc ws email global group company solutions
		services consulting digital systems software agency studio design media network world live life today news
		inc ltd llc gmbh partners ventures capital finance bank insurance health care law legal education academy
		tokyo nagoya osaka yokohama kyoto okinawa london paris berlin nyc amsterdam wien swiss eu`) {
		m[t] = true
	}
	for _, cc := range strings.Fields(`ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw
		by bz ca cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et fi fj fk fm fo fr ga gd ge gf
		gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw
		ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl
		no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st
		su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw`) {
		m[cc] = true
	}
	return m
}()
