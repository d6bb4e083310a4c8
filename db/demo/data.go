package demo

import (
	"strings"
	"unicode"
)

// countrySpec is the raw, hand-written material for one country: names in the local script, with an
// ASCII form after ':' where the script is not Latin (Latin names are folded to ASCII automatically).
// Company names are built from forms ("{s}" stem, "{i}" industry word) so each country has dozens of
// plausible, locally named customers.
type countrySpec struct {
	code, currency string
	weight         int
	lang           string // language of descriptions and job titles: en, ja, de, fr, es
	first, last    string // '|'-separated
	cities         string
	stems, inds    string
	forms          string
	phones         string // '#' any digit, 'N' a digit 1-9
}

var countrySpecs = []countrySpec{
	{code: "US", currency: "USD", weight: 22, lang: "en",
		first: "James|Emily|Michael|Sarah|David|Jessica|Robert|Ashley|Daniel|Olivia", last: "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Wilson|Anderson",
		cities: "Seattle|New York|Chicago|Austin|San Francisco|Boston|Atlanta|Denver", stems: "Pinecrest|Summit|Redwood|Lakeside|Bluewater|Ironbridge|Keystone",
		inds: "Logistics|Health|Financial|Manufacturing|Software|Retail|Energy", forms: "{s} {i} Inc.|{s} {i} LLC|{s} {i} Corporation",
		phones: "+1 206-N##-####|+1 212-N##-####|+1 312-N##-####|+1 512-N##-####"},
	{code: "JP", currency: "JPY", weight: 12, lang: "ja",
		first:  "翔太:shota|美咲:misaki|健太:kenta|陽菜:hina|大輔:daisuke|由美:yumi|拓也:takuya|彩:aya|直樹:naoki|恵子:keiko",
		last:   "田中:tanaka|佐藤:sato|鈴木:suzuki|高橋:takahashi|伊藤:ito|渡辺:watanabe|山本:yamamoto|中村:nakamura|小林:kobayashi|加藤:kato",
		cities: "東京|大阪|名古屋|福岡|札幌|横浜|京都|仙台", stems: "山田:yamada|東洋:toyo|日本:nihon|さくら:sakura|青葉:aoba|富士:fuji|北斗:hokuto|大和:yamato",
		inds: "製作所:seisakusho|物流:butsuryu|商事:shoji|電機:denki|ソフトウェア:software|食品:shokuhin|建設:kensetsu|化学:kagaku", forms: "株式会社{s}{i}|{s}{i}株式会社",
		phones: "+81 3-####-####|+81 6-####-####|+81 90-####-####|+81 45-###-####|+81 52-###-####"},
	{code: "DE", currency: "EUR", weight: 8, lang: "de",
		first: "Lukas|Anna|Jonas|Lena|Maximilian|Sophie|Felix|Laura|Jürgen|Katrin", last: "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann",
		cities: "Berlin|München|Hamburg|Frankfurt am Main|Köln|Stuttgart|Düsseldorf|Leipzig", stems: "Rhein|Alpen|Nord|Isar|Elbe|Schwarzwald|Bergmann|Weiß",
		inds: "Logistik|Maschinenbau|Software|Medizintechnik|Handel|Energie", forms: "{s} {i} GmbH|{s}-{i} AG|{s} {i} GmbH & Co. KG",
		phones: "+49 30 N######|+49 89 N#######|+49 40 N#######|+49 151 ########"},
	{code: "GB", currency: "GBP", weight: 8, lang: "en",
		first: "Oliver|Amelia|Harry|Isla|George|Sophie|Jack|Charlotte", last: "Smith|Jones|Taylor|Brown|Williams|Wilson|Evans|Thomas",
		cities: "London|Manchester|Birmingham|Leeds|Bristol|Edinburgh|Glasgow", stems: "Thames|Pennine|Kingsway|Albion|Highgate|Severn",
		inds: "Logistics|Insurance|Engineering|Retail|Software|Healthcare", forms: "{s} {i} Ltd|{s} {i} plc",
		phones: "+44 20 7### ####|+44 161 N## ####|+44 7### ######"},
	{code: "FR", currency: "EUR", weight: 5, lang: "fr",
		first: "Lucas|Chloé|Hugo|Camille|Louis|Léa|Thomas|Manon", last: "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand",
		cities: "Paris|Lyon|Marseille|Toulouse|Nantes|Lille|Bordeaux", stems: "Atlantique|Lumière|Provence|Horizon|Vallée|Étoile",
		inds: "Logistique|Informatique|Conseil|Santé|Énergie|Distribution", forms: "{i} {s} SAS|{s} {i} SA|{i} {s} SARL",
		phones: "+33 1 ## ## ## ##|+33 6 ## ## ## ##|+33 4 ## ## ## ##"},
	{code: "CA", currency: "CAD", weight: 4, lang: "en",
		first: "Liam|Emma|Noah|Chloé|Ethan|Olivia|William|Charlotte", last: "Tremblay|Roy|Martin|MacDonald|Wilson|Gagnon|Campbell|Leblanc",
		cities: "Toronto|Vancouver|Montréal|Calgary|Ottawa", stems: "Maple|Northern|Laurentian|Pacific|Rideau|Prairie",
		inds: "Logistics|Systems|Health|Energy|Foods", forms: "{s} {i} Inc.|{s} {i} Ltd.|{s} {i} Ltée",
		phones: "+1 416-N##-####|+1 604-N##-####|+1 514-N##-####"},
	{code: "AU", currency: "AUD", weight: 4, lang: "en",
		first: "Jack|Charlotte|William|Olivia|Thomas|Mia|Lachlan|Ruby", last: "Smith|Jones|Williams|Brown|Wilson|Taylor|Nguyen|Kelly",
		cities: "Sydney|Melbourne|Brisbane|Perth|Adelaide|Canberra", stems: "Southern Cross|Coral|Outback|Harbour|Eucalypt|Tasman",
		inds: "Logistics|Mining|Health|Software|Energy", forms: "{s} {i} Pty Ltd",
		phones: "+61 2 #### ####|+61 3 #### ####|+61 4## ### ###"},
	{code: "IN", currency: "INR", weight: 5, lang: "en",
		first: "Aarav|Priya|Rohan|Ananya|Vikram|Sneha|Arjun|Kavya", last: "Sharma|Patel|Iyer|Reddy|Gupta|Nair|Singh|Mehta",
		cities: "Bengaluru|Mumbai|Delhi|Hyderabad|Chennai|Pune", stems: "Sahyadri|Ganga|Indus|Deccan|Kaveri|Himalaya",
		inds: "Technologies|Infotech|Pharma|Logistics|Solutions", forms: "{s} {i} Pvt. Ltd.|{s} {i} Ltd.",
		phones: "+91 98### #####|+91 80 #### ####|+91 22 #### ####"},
	{code: "BR", currency: "BRL", weight: 3, lang: "es",
		first: "João|Maria|Pedro|Ana|Lucas|Juliana|Gabriel|Beatriz", last: "Silva|Santos|Oliveira|Souza|Pereira|Costa|Rodrigues|Almeida",
		cities: "São Paulo|Rio de Janeiro|Belo Horizonte|Curitiba|Porto Alegre", stems: "Paulista|Horizonte|Atlântico|Cerrado|Guanabara",
		inds: "Logística|Tecnologia|Alimentos|Engenharia|Saúde", forms: "{i} {s} Ltda.|{s} {i} S.A.",
		phones: "+55 11 9####-####|+55 21 N###-####"},
	{code: "NL", currency: "EUR", weight: 3, lang: "en",
		first: "Daan|Emma|Sem|Julia|Lucas|Sanne|Bram|Fleur", last: "de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Visser|Smit",
		cities: "Amsterdam|Rotterdam|Utrecht|Eindhoven|Den Haag", stems: "Oranje|Delta|Polder|Zuidas|Noordzee|Amstel",
		inds: "Logistiek|Techniek|Software|Zorg|Energie", forms: "{s} {i} B.V.|{s} {i} N.V.",
		phones: "+31 20 ### ####|+31 6 ########|+31 10 ### ####"},
	{code: "ES", currency: "EUR", weight: 3, lang: "es",
		first: "Alejandro|Lucía|Daniel|María|Pablo|Carmen|Javier|Laura", last: "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez",
		cities: "Madrid|Barcelona|Valencia|Sevilla|Bilbao|Málaga", stems: "Ibérica|Mediterráneo|Cantábrico|Levante|Castilla",
		inds: "Logística|Tecnología|Consultoría|Energía|Alimentación", forms: "{i} {s} S.L.|{i} {s} S.A.",
		phones: "+34 91 ### ## ##|+34 93 ### ## ##|+34 6## ### ###"},
	{code: "IT", currency: "EUR", weight: 3, lang: "en",
		first: "Leonardo|Giulia|Francesco|Sofia|Alessandro|Chiara|Marco|Francesca", last: "Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci",
		cities: "Milano|Roma|Torino|Bologna|Firenze|Napoli", stems: "Lombarda|Adriatica|Tirrena|Appennino|Dolomiti",
		inds: "Logistica|Informatica|Meccanica|Alimentare|Energia", forms: "{i} {s} S.p.A.|{i} {s} S.r.l.",
		phones: "+39 02 #### ####|+39 06 #### ####|+39 3## ### ####"},
	{code: "SE", currency: "SEK", weight: 2, lang: "en",
		first: "Erik|Maja|William|Elsa|Oscar|Astrid|Karl|Ebba", last: "Andersson|Johansson|Karlsson|Nilsson|Eriksson|Larsson|Olsson|Persson",
		cities: "Stockholm|Göteborg|Malmö|Uppsala|Västerås", stems: "Nordic|Vasa|Norrland|Mälardalen|Kungs",
		inds: "Logistik|System|Teknik|Energi|Vård", forms: "{s} {i} AB",
		phones: "+46 8 ### ### ##|+46 70 ### ## ##|+46 31 ## ## ##"},
	{code: "CH", currency: "CHF", weight: 2, lang: "de",
		first: "Luca|Mia|Noah|Lea|Nico|Elena", last: "Müller|Meier|Schmid|Keller|Weber|Huber",
		cities: "Zürich|Genf|Basel|Bern|Lausanne", stems: "Helvetia|Limmat|Rhône|Jura|Säntis",
		inds: "Treuhand|Software|Pharma|Logistik|Versicherungen", forms: "{s} {i} AG|{s} {i} GmbH|{s} {i} SA",
		phones: "+41 44 ### ## ##|+41 79 ### ## ##|+41 61 ### ## ##"},
	{code: "KR", currency: "KRW", weight: 2, lang: "en",
		first: "민준:minjun|서연:seoyeon|지훈:jihoon|하은:haeun|현우:hyunwoo|수빈:subin", last: "김:kim|이:lee|박:park|최:choi|정:jung|강:kang",
		cities: "서울|부산|인천|성남|대구", stems: "한빛:hanbit|대한:daehan|새롬:saerom|미래:mirae|동방:dongbang",
		inds: "테크:tech|물산:trading|솔루션:solutions|제약:pharma|건설:construction", forms: "{s}{i} 주식회사|(주){s}{i}",
		phones: "+82 2-####-####|+82 10-####-####|+82 31-###-####"},
	{code: "SG", currency: "SGD", weight: 2, lang: "en",
		first: "Wei Ling|Jun Jie|Hui Min|Ravi|Siti|Marcus", last: "Tan|Lim|Lee|Ng|Wong|Kumar",
		cities: "Singapore", stems: "Lion City|Marina|Raffles|Straits|Orchard",
		inds: "Logistics|Technologies|Trading|Capital|Engineering", forms: "{s} {i} Pte. Ltd.",
		phones: "+65 6### ####|+65 9### ####|+65 8### ####"},
	{code: "MX", currency: "MXN", weight: 2, lang: "es",
		first: "José|Sofía|Juan|Valentina|Luis|Ximena|Carlos|Fernanda", last: "García|Hernández|López|Martínez|González|Rodríguez|Pérez|Sánchez",
		cities: "Ciudad de México|Guadalajara|Monterrey|Puebla|Querétaro", stems: "Azteca|Sierra Madre|Del Norte|Pacífico|Bajío",
		inds: "Logística|Alimentos|Construcciones|Tecnología|Servicios Financieros", forms: "{i} {s} S.A. de C.V.|Grupo {s} {i} S.A. de C.V.",
		phones: "+52 55 #### ####|+52 33 #### ####|+52 81 #### ####"},
	{code: "PL", currency: "PLN", weight: 2, lang: "en",
		first: "Jakub|Zuzanna|Kacper|Julia|Michał|Maja|Piotr|Anna", last: "Nowak|Kowalski|Wiśniewski|Wójcik|Kowalczyk|Kamiński|Lewandowski|Zieliński",
		cities: "Warszawa|Kraków|Wrocław|Poznań|Gdańsk|Łódź", stems: "Wisła|Mazowsze|Bałtyk|Tatry|Polska",
		inds: "Logistyka|Technologie|Energia|Budownictwo|Software", forms: "{s} {i} Sp. z o.o.|{s} {i} S.A.",
		phones: "+48 22 ### ## ##|+48 5## ### ###|+48 12 ### ## ##"},
	{code: "NO", currency: "NOK", weight: 1, lang: "en",
		first: "Jakob|Nora|Emil|Ingrid|Henrik|Sofie", last: "Hansen|Johansen|Olsen|Larsen|Andersen|Pedersen",
		cities: "Oslo|Bergen|Trondheim|Stavanger", stems: "Fjord|Nordlys|Vestland|Viking|Polar",
		inds: "Logistikk|Energi|Data|Havbruk", forms: "{s} {i} AS|{s} {i} ASA",
		phones: "+47 22 ## ## ##|+47 9## ## ###"},
	{code: "DK", currency: "DKK", weight: 1, lang: "en",
		first: "Frederik|Ida|Magnus|Freja|Mathias|Emma", last: "Nielsen|Jensen|Hansen|Pedersen|Andersen|Christensen",
		cities: "København|Aarhus|Odense|Aalborg", stems: "Øresund|Jylland|Nordsø|Dansk|Kronborg",
		inds: "Logistik|Software|Energi|Medico", forms: "{s} {i} A/S|{s} {i} ApS",
		phones: "+45 33 ## ## ##|+45 2# ## ## ##"},
	{code: "FI", currency: "EUR", weight: 1, lang: "en",
		first: "Eetu|Aino|Onni|Helmi|Mikko|Sanna", last: "Korhonen|Virtanen|Mäkinen|Nieminen|Mäkelä|Hämäläinen",
		cities: "Helsinki|Espoo|Tampere|Turku|Oulu", stems: "Suomen|Pohjola|Saimaa|Lappi|Kaleva",
		inds: "Logistiikka|Ohjelmisto|Energia|Tekniikka", forms: "{s} {i} Oy|{s} {i} Oyj",
		phones: "+358 9 ### ####|+358 40 ### ####"},
	{code: "IE", currency: "EUR", weight: 1, lang: "en",
		first: "Seán|Aoife|Conor|Niamh|Cian|Saoirse", last: "Murphy|Kelly|O'Sullivan|Walsh|O'Brien|Byrne",
		cities: "Dublin|Cork|Galway|Limerick", stems: "Liffey|Shannon|Emerald|Atlantic|Wicklow",
		inds: "Software|Pharma|Logistics|Finance", forms: "{s} {i} Ltd|{s} {i} DAC",
		phones: "+353 1 ### ####|+353 8# ### ####"},
	{code: "BE", currency: "EUR", weight: 1, lang: "fr",
		first: "Noah|Emma|Louis|Olivia|Arthur|Louise", last: "Peeters|Janssens|Maes|Jacobs|Dubois|Lambert",
		cities: "Bruxelles|Antwerpen|Gent|Liège|Leuven", stems: "Schelde|Ardennes|Brabant|Meuse|Flandria",
		inds: "Logistics|Consulting|Pharma|Software|Energie", forms: "{s} {i} NV|{s} {i} SA|{s} {i} BV",
		phones: "+32 2 ### ## ##|+32 4## ## ## ##|+32 3 ### ## ##"},
	{code: "AT", currency: "EUR", weight: 1, lang: "de",
		first: "Tobias|Julia|Florian|Katharina|Stefan|Magdalena", last: "Gruber|Huber|Bauer|Wagner|Pichler|Steiner",
		cities: "Wien|Graz|Linz|Salzburg|Innsbruck", stems: "Donau|Tirol|Alpen|Wiener|Steirer",
		inds: "Logistik|Software|Bau|Energie|Handel", forms: "{s} {i} GmbH|{s}-{i} AG",
		phones: "+43 1 ### ####|+43 664 #######|+43 316 ######"},
	{code: "NZ", currency: "NZD", weight: 1, lang: "en",
		first: "Oliver|Isla|Jack|Amelia|Nikau|Aroha", last: "Smith|Wilson|Williams|Brown|Ngata|Taylor",
		cities: "Auckland|Wellington|Christchurch|Hamilton", stems: "Kiwi|Aotearoa|Southern Alps|Waitematā|Tasman",
		inds: "Logistics|Dairy|Software|Tourism|Energy", forms: "{s} {i} Limited|{s} {i} Ltd",
		phones: "+64 9 ### ####|+64 4 ### ####|+64 21 ### ####"},
	{code: "ZA", currency: "ZAR", weight: 1, lang: "en",
		first: "Thabo|Lerato|Sipho|Nomvula|Pieter|Anika", last: "Nkosi|Dlamini|van der Merwe|Botha|Naidoo|Mokoena",
		cities: "Johannesburg|Cape Town|Durban|Pretoria", stems: "Protea|Highveld|Cape|Karoo|Ubuntu",
		inds: "Logistics|Mining|Technologies|Financial Services", forms: "{s} {i} (Pty) Ltd",
		phones: "+27 11 ### ####|+27 21 ### ####|+27 82 ### ####"},
	{code: "AE", currency: "AED", weight: 1, lang: "en",
		first: "Mohammed|Fatima|Ahmed|Aisha|Omar|Mariam", last: "Al Mansoori|Al Hashimi|Al Nuaimi|Khan|Haddad|Al Suwaidi",
		cities: "Dubai|Abu Dhabi|Sharjah", stems: "Emirates|Gulf|Falcon|Oasis|Al Noor",
		inds: "Trading|Logistics|Technologies|Properties|Holdings", forms: "{s} {i} LLC|{s} {i} FZ-LLC",
		phones: "+971 4 ### ####|+971 2 ### ####|+971 50 ### ####"},
	{code: "IL", currency: "ILS", weight: 1, lang: "en",
		first: "Noa|Yosef|Tamar|David|Maya|Itai", last: "Cohen|Levi|Mizrahi|Peretz|Biton|Friedman",
		cities: "Tel Aviv|Jerusalem|Haifa|Herzliya", stems: "Carmel|Negev|Galil|Yarden|Shalem",
		inds: "Technologies|Systems|Cyber|Medical|Analytics", forms: "{s} {i} Ltd.",
		phones: "+972 3-###-####|+972 54-###-####|+972 9-###-####"},
	{code: "PT", currency: "EUR", weight: 1, lang: "es",
		first: "João|Maria|Tiago|Inês|Rui|Beatriz", last: "Silva|Santos|Ferreira|Pereira|Oliveira|Costa",
		cities: "Lisboa|Porto|Braga|Coimbra|Aveiro", stems: "Lusitânia|Atlântico|Tejo|Douro|Minho",
		inds: "Logística|Tecnologia|Consultoria|Energia", forms: "{i} {s} Lda.|{s} {i} S.A.",
		phones: "+351 21 ### ####|+351 22 ### ####|+351 91# ### ###"},
	{code: "CZ", currency: "CZK", weight: 1, lang: "en",
		first: "Jakub|Tereza|Jan|Eliška|Tomáš|Anna", last: "Novák|Svoboda|Novotný|Dvořák|Černý|Procházka",
		cities: "Praha|Brno|Ostrava|Plzeň", stems: "Vltava|Bohemia|Morava|Šumava|Praga",
		inds: "Logistika|Technologie|Strojírny|Energie", forms: "{s} {i} s.r.o.|{s} {i} a.s.",
		phones: "+420 2## ### ###|+420 6## ### ###|+420 7## ### ###"},
	{code: "TW", currency: "TWD", weight: 1, lang: "en",
		first: "怡君:yijun|志明:zhiming|雅婷:yating|家豪:jiahao|淑芬:shufen|俊傑:junjie", last: "陳:chen|林:lin|黃:huang|張:chang|李:li|王:wang",
		cities: "台北|新竹|台中|高雄|桃園", stems: "台灣:taiwan|宏達:hongda|永豐:yongfeng|聯發:lianfa|精誠:jingcheng",
		inds: "科技:tech|電子:electronics|物流:logistics|資訊:info|生技:biotech", forms: "{s}{i}股份有限公司|{s}{i}有限公司",
		phones: "+886 2 ####-####|+886 9##-###-###|+886 3 ###-####"},
	{code: "TR", currency: "TRY", weight: 1, lang: "en",
		first: "Mehmet|Zeynep|Mustafa|Elif|Ahmet|Ayşe|Emre", last: "Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Aydın",
		cities: "İstanbul|Ankara|İzmir|Bursa|Antalya", stems: "Anadolu|Marmara|Boğaziçi|Ege|Karadeniz",
		inds: "Lojistik|Teknoloji|Enerji|Gıda|İnşaat", forms: "{s} {i} A.Ş.|{s} {i} Ltd. Şti.",
		phones: "+90 212 ### ## ##|+90 312 ### ## ##|+90 5## ### ## ##"},
	{code: "AR", currency: "USD", weight: 1, lang: "es",
		first: "Santiago|Martina|Mateo|Camila|Facundo|Lucía", last: "González|Rodríguez|Fernández|López|Díaz|Romero",
		cities: "Buenos Aires|Córdoba|Rosario|Mendoza", stems: "Del Plata|Pampa|Andina|Austral",
		inds: "Logística|Software|Agroindustria|Servicios", forms: "{i} {s} S.A.|{i} {s} S.R.L.",
		phones: "+54 11 ####-####|+54 351 ###-####"},
	{code: "CL", currency: "CLP", weight: 1, lang: "es",
		first: "Benjamín|Sofía|Vicente|Isidora|Matías|Antonella", last: "Muñoz|Rojas|Díaz|Soto|Contreras|Silva",
		cities: "Santiago|Valparaíso|Concepción|Antofagasta", stems: "Andes|Pacífico|Austral|Cordillera",
		inds: "Minería|Logística|Tecnología|Alimentos", forms: "{i} {s} SpA|{i} {s} S.A.",
		phones: "+56 2 #### ####|+56 9 #### ####"},
}

// currencies: units per US dollar (roughly); package money knows each one's minor unit.
var currencies = map[string]struct{ perUSD float64 }{
	"USD": {1}, "JPY": {150}, "EUR": {0.92}, "GBP": {0.79}, "CAD": {1.36}, "AUD": {1.52},
	"INR": {83}, "BRL": {5.0}, "SEK": {10.5}, "CHF": {0.9}, "KRW": {1350}, "SGD": {1.35},
	"MXN": {17}, "PLN": {4.0}, "NOK": {10.7}, "DKK": {6.9}, "NZD": {1.65}, "ZAR": {18.5},
	"AED": {3.67}, "ILS": {3.7}, "CZK": {23}, "TWD": {32}, "TRY": {32}, "CLP": {920},
}

// offers are the publisher's marketplace offers (publisher "contoso").
var offers = []struct{ id, title, short string }{
	{"contoso.crm-suite", "Contoso CRM Suite", "CRM"},
	{"contoso.field-service-pro", "Contoso Field Service Pro", "Field Service"},
	{"contoso.secure-backup", "Contoso Secure Backup for Azure", "Backup"},
	{"contoso.ai-insights", "Contoso AI Insights", "AI Insights"},
	{"contoso.hr-connect", "Contoso HR Connect", "HR Connect"},
	{"contoso.iot-edge-gateway", "Contoso IoT Edge Gateway", "IoT Gateway"},
	{"contoso.invoice-ocr", "Contoso Invoice OCR", "Invoice OCR"},
	{"contoso.teams-booking", "Contoso Bookings for Microsoft Teams", "Teams Bookings"},
}

// disposableDomains are well-known throwaway-mail domains: spam leads use them and they go on the spam list.
var disposableDomains = []string{"mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com", "trashmail.com",
	"sharklasers.com", "getnada.com", "dispostable.com", "temp-mail.org", "maildrop.cc"}

// descriptions are what customers typed into the offer's contact form, by language and call to action.
var descriptions = map[string]map[string][]string{
	"en": {
		"get_it_now": {"Installed from the marketplace listing.", "Signed up for the standard plan.", "Deployed to our production subscription.", ""},
		"free_trial": {"Starting a 30-day trial for our sales team.", "Evaluating against our current tool for 12 users.", "Trial for the IT department before budget planning.", ""},
		"test_drive": {"Took the test drive; interested in the reporting features.", "Test drive completed, would like to know about SSO.", ""},
		"contact_me": {"We have about 250 users and want a quote for an annual plan.", "Please contact me about integration with Dynamics 365.",
			"Looking for a partner to help migrate from our on-premises system.", "Need pricing for 3 subsidiaries and a demo next week.",
			"Can you support data residency in our region?", "Interested in a proof of concept this quarter."},
		"qualified": {"Customer is evaluating CRM options for 300 sales reps; budget approved for FY26.", "Attended the Azure migration webinar and asked for a partner.",
			"Seller-identified opportunity: modernise field service for 80 technicians.", "Expressed interest in AI document processing during an Envisioning workshop.",
			"Renewal of an existing EA; customer wants a marketplace solution for backup."},
	},
	"ja": {
		"get_it_now": {"マーケットプレースから導入しました。", "スタンダード プランで申し込みました。", ""},
		"free_trial": {"営業部 20 名で 30 日間の試用を開始します。", "現行ツールとの比較のため試用中です。", ""},
		"test_drive": {"体験版を試しました。レポート機能に関心があります。", "体験版の後、SSO 対応について知りたいです。", ""},
		"contact_me": {"約 300 名で利用予定です。年間プランの見積もりをお願いします。", "Dynamics 365 との連携について相談したいです。",
			"オンプレミスからの移行を支援できるパートナーを探しています。", "来週デモを見せていただけますか。", "国内データセンターでの運用は可能でしょうか。"},
		"qualified": {"FY26 の予算承認済み。営業 150 名向け CRM を比較検討中。", "Azure 移行ウェビナー参加者。パートナー紹介を希望。",
			"Microsoft 営業担当が特定した商談：フィールド サービスの刷新。"},
	},
	"de": {
		"get_it_now": {"Über den Marketplace installiert.", "Standardplan abonniert.", ""},
		"free_trial": {"Testphase mit 15 Nutzern im Vertrieb.", "Vergleich mit unserem bisherigen Werkzeug.", ""},
		"test_drive": {"Test Drive abgeschlossen, Interesse an den Berichten.", ""},
		"contact_me": {"Wir haben rund 200 Mitarbeitende und wünschen ein Angebot.", "Bitte um Rückruf wegen der Integration mit SAP.",
			"Suchen einen Partner für die Migration aus dem eigenen Rechenzentrum.", "Ist ein Betrieb in einem deutschen Rechenzentrum möglich?"},
		"qualified": {"Kunde prüft CRM-Lösungen für 120 Vertriebsmitarbeitende; Budget FY26 freigegeben.", "Teilnahme am Azure-Webinar, wünscht einen Partner."},
	},
}

var titles = map[string][]string{
	"en": {"IT Director", "CIO", "Head of Sales Operations", "Procurement Manager", "CTO", "Operations Manager", "Solutions Architect", "IT Manager", "CFO"},
	"ja": {"情報システム部 部長", "営業企画部 課長", "代表取締役", "DX推進室 室長", "経営企画部 主任", "購買部 マネージャー"},
	"de": {"IT-Leiter", "Geschäftsführer", "Leiterin Vertrieb", "Einkaufsleiter", "CIO", "Projektleiterin"},
	"fr": {"Directeur informatique", "Responsable achats", "Directrice commerciale", "DSI", "Chef de projet"},
	"es": {"Director de TI", "Gerente de compras", "Directora comercial", "CIO", "Jefe de proyecto"},
}

var notesByLang = map[string][]string{
	"en": {"Call held with the IT director; sending a proposal this week.", "Customer wants a pilot with one business unit first.",
		"Budget confirmed; legal review of the contract in progress.", "Competing with an incumbent vendor; price is the main concern.",
		"Technical workshop scheduled; need a solution architect.", "Decision expected at the end of the quarter."},
	"ja": {"情報システム部長と打ち合わせ済み。今週中に提案書を送付。", "まず 1 部門でパイロットを実施したい意向。", "予算確定。契約書の法務確認中。",
		"競合製品と比較中。価格が主な論点。", "技術ワークショップを調整中。"},
}

var dealSuffixes = map[string][]string{
	"en": {"rollout", "pilot", "expansion", "renewal", "proof of concept", "migration"},
	"ja": {"導入", "パイロット", "拡張", "更新", "PoC", "移行"},
}

var reasonNotes = map[string][]string{
	"budget":              {"Budget was cut for this fiscal year.", "Quote exceeded their budget by about 40%."},
	"no_response":         {"Three emails and two calls without an answer.", "Contact stopped responding after the first call."},
	"other_vendor":        {"They chose a competitor already used by their parent company.", "Went with the incumbent vendor."},
	"requirement_not_met": {"They need an on-premises deployment.", "Required language support we do not offer."},
	"not_a_customer":      {"Student researching the market.", "A reseller looking for a partnership, not a buyer."},
	"timeline_too_short":  {"Needed go-live within two weeks.", "Deadline before our earliest available slot."},
	"spam":                {"Disposable address and fake company name.", "Automated sign-up, no real person."},
	"other":               {"Duplicate of an opportunity already in our CRM.", "Project put on hold after a reorganisation."},
}

var sellers = []struct{ name, email string }{
	{"Kenji Watanabe", "kenji.watanabe@microsoft.example"}, {"Sarah Mitchell", "sarah.mitchell@microsoft.example"},
	{"Thomas Becker", "thomas.becker@microsoft.example"}, {"Priya Raman", "priya.raman@microsoft.example"},
	{"Camille Laurent", "camille.laurent@microsoft.example"}, {"Daniel Ortiz", "daniel.ortiz@microsoft.example"},
}

var marketingSenders = []struct{ name, email string }{
	{"Microsoft Marketing", "mql-referrals@microsoft.example"}, {"Microsoft Partner Marketing", "partner-marketing@microsoft.example"},
}

// name is a piece of text in its local script and an ASCII form for email addresses and domains.
type name struct{ local, ascii string }

// country is a countrySpec parsed into pools, built once per Seed.
type country struct {
	code, currency, lang string
	weight               int
	first, last          []name
	cities               []string
	companies            []name // ascii = domain
	phones               []string
}

func parseNames(s string) []name {
	parts := strings.Split(s, "|")
	out := make([]name, len(parts))
	for i, p := range parts {
		local, ascii, ok := strings.Cut(p, ":")
		if !ok {
			ascii = slug(local, "")
		}
		out[i] = name{local, ascii}
	}
	return out
}

func buildCountries() []country {
	out := make([]country, len(countrySpecs))
	for i, s := range countrySpecs {
		c := country{code: s.code, currency: s.currency, lang: s.lang, weight: s.weight,
			first: parseNames(s.first), last: parseNames(s.last), cities: strings.Split(s.cities, "|"),
			phones: strings.Split(s.phones, "|")}
		stems, inds := parseNames(s.stems), parseNames(s.inds)
		for _, f := range strings.Split(s.forms, "|") {
			for _, st := range stems {
				for _, in := range inds {
					n := strings.NewReplacer("{s}", st.local, "{i}", in.local).Replace(f)
					c.companies = append(c.companies, name{n, slug(st.ascii+"-"+in.ascii, "-") + ".example"})
				}
			}
		}
		out[i] = c
	}
	return out
}

var asciiFold = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue",
	"é", "e", "è", "e", "ê", "e", "ë", "e", "É", "e", "á", "a", "à", "a", "â", "a", "ã", "a", "å", "a", "Å", "a",
	"í", "i", "ì", "i", "î", "i", "ı", "i", "İ", "i", "ó", "o", "ò", "o", "ô", "o", "õ", "o", "ø", "o", "Ø", "o",
	"ú", "u", "ù", "u", "û", "u", "ñ", "n", "ç", "c", "Ç", "c", "ş", "s", "Ş", "s", "ğ", "g",
	"ł", "l", "Ł", "l", "ś", "s", "Ś", "s", "ź", "z", "ż", "z", "ć", "c", "ń", "n", "ą", "a", "ę", "e",
	"č", "c", "Č", "c", "ř", "r", "š", "s", "Š", "s", "ž", "z", "ý", "y", "ů", "u", "ě", "e", "ā", "a",
)

// slug folds text to lower-case ASCII letters and digits, joining words with sep.
func slug(s, sep string) string {
	s = asciiFold.Replace(s)
	var b strings.Builder
	pendingSep := false
	for _, r := range strings.ToLower(s) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if pendingSep && b.Len() > 0 {
				b.WriteString(sep)
			}
			pendingSep = false
			b.WriteRune(r)
			continue
		}
		if r == '\'' {
			continue
		}
		pendingSep = true
	}
	return b.String()
}
