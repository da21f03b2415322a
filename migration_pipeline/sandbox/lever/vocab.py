"""Word lists and fixed vocabularies of the synthetic Lever org (stages, reasons, sources, titles ...).

Plain data only: the generator and the materializer draw from these with their own seeded RNGs, so
nothing here is random. Person names come from Faker's per-locale person providers (see generator.py).
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Pipeline: built-in stages keep Lever's string ids; the others get UUIDs from the seed.
# (id or None, text, has interviews). Order = pipeline order = `toStageIndex`.
STAGE_DEFS: tuple[tuple[str | None, str, bool], ...] = (
    ("lead-new", "New lead", False),
    ("lead-reached-out", "Reached out", False),
    ("lead-responded", "Responded", False),
    ("applicant-new", "New applicant", False),
    (None, "Recruiter screen", True),
    (None, "Phone screen", True),
    (None, "HM Review", False),
    (None, "On-site interview", True),
    (None, "Reference check", False),
    ("offer", "Offer", False),
    (None, "Background Check", False),
)
INTERVIEW_STAGE_TEXTS = frozenset(text for _, text, has in STAGE_DEFS if has)

# (text, type, status, weight when drawing a non-hired reason)
ARCHIVE_REASON_DEFS: tuple[tuple[str, str, str, int], ...] = (
    ("Hired", "hired", "active", 0),
    ("Underqualified", "non-hired", "active", 34),
    ("Unresponsive", "non-hired", "active", 14),
    ("Withdrew", "non-hired", "active", 12),
    ("Position filled", "non-hired", "active", 8),
    ("Position closed", "non-hired", "active", 6),
    ("Timing", "non-hired", "active", 5),
    ("Compensation", "non-hired", "active", 5),
    ("Location", "non-hired", "active", 4),
    ("Culture add", "non-hired", "active", 3),
    ("Duplicate", "non-hired", "active", 2),
    ("Offer declined", "non-hired", "active", 0),  # only for opportunities that reached the offer stage
    ("No Response - OLD", "non-hired", "inactive", 0),  # only on old archives (before 2021)
)

ACCESS_ROLES: tuple[str, ...] = ("super admin", "admin", "team member", "limited team member", "interviewer")
ACCESS_ROLE_WEIGHTS: tuple[int, ...] = (2, 8, 45, 15, 30)

POSTING_STATES: tuple[str, ...] = ("published", "internal", "closed", "draft", "pending", "rejected")
POSTING_STATE_WEIGHTS: tuple[int, ...] = (45, 8, 27, 10, 6, 4)

ORIGINS: tuple[str, ...] = ("applied", "sourced", "referred", "agency", "university", "internal")
ORIGIN_WEIGHTS_WITH_POSTING: tuple[int, ...] = (50, 25, 10, 5, 5, 5)
ORIGIN_WEIGHTS_WITHOUT_POSTING: tuple[int, ...] = (0, 72, 10, 10, 4, 4)

# source texts per origin, with weights
SOURCES_BY_ORIGIN: dict[str, tuple[tuple[str, int], ...]] = {
    "applied": (
        ("Posting", 50),
        ("Job site", 14),
        ("LinkedIn", 10),
        ("Indeed", 9),
        ("Glassdoor", 7),
        ("Company website", 5),
        ("Email Applicant", 3),
        ("Hacker News", 1),
        ("Stack Overflow", 1),
    ),
    "sourced": (
        ("LinkedIn", 48),
        ("Added manually", 18),
        ("GitHub", 10),
        ("Extension", 8),
        ("AngelList", 5),
        ("Email Lead", 4),
        ("Meetup", 2),
        ("Twitter", 2),
        ("Conference", 2),
        ("Xing", 1),
    ),
    "referred": (("Referral", 90), ("Employee referral program", 10)),
    "agency": (
        ("Agency: Brightpath Recruiting", 40),
        ("Agency: Northstar Talent", 30),
        ("Agency: Kessler & Vogt Personal", 15),
        ("Agency: Hirewell Partners", 15),
    ),
    "university": (("Handshake", 45), ("University career fair", 40), ("Campus ambassador", 15)),
    "internal": (("Internal", 70), ("Employee transfer", 30)),
}

CUSTOM_TAGS: tuple[tuple[str, int], ...] = (
    ("Senior", 10),
    ("Junior", 5),
    ("Remote", 9),
    ("remote", 2),  # same tag in another case: Lever tags are case-sensitive
    ("Relocation", 4),
    ("Visa sponsorship", 4),
    ("Boomerang", 2),
    ("Silver medalist", 3),
    ("Do not contact", 1),
    ("Diversity sourcing", 3),
    ("Python", 5),
    ("Java", 3),
    ("Go", 2),
    ("React", 3),
    ("Kubernetes", 2),
    ("Bilingual", 2),
    ("Referral bonus", 1),
    ("Campus 2025", 2),
    ("Hackathon", 1),
    ("Q3 push", 2),
    ("Urgent", 2),
    ("Needs review", 3),
    ("Talent pool", 4),
    ("Rehire eligible", 1),
    ("Überqualifiziert", 1),
    ("日本語", 1),
    ("Señor", 1),
)

COMMITMENTS: tuple[tuple[str, int], ...] = (
    ("Full-time", 72),
    ("Part-time", 6),
    ("Contract", 10),
    ("Internship", 8),
    ("Temporary", 4),
)

# department -> team -> titles
ORG_STRUCTURE: dict[str, dict[str, tuple[str, ...]]] = {
    "Engineering": {
        "Platform": ("Backend Engineer", "Software Engineer, Platform", "Site Reliability Engineer"),
        "Frontend": ("Frontend Engineer", "Software Engineer, Web", "UI Engineer"),
        "Data": ("Data Engineer", "Machine Learning Engineer", "Analytics Engineer"),
        "Infrastructure": ("Infrastructure Engineer", "DevOps Engineer", "Cloud Engineer"),
        "Mobile": ("iOS Engineer", "Android Engineer", "Mobile Engineer"),
        "Security": ("Security Engineer", "Application Security Engineer"),
    },
    "Research & Development": {
        "Research": ("Research Scientist", "Applied Scientist"),
        "Quality": ("QA Engineer", "Test Automation Engineer"),
    },
    "Product": {
        "Product Management": ("Product Manager", "Technical Product Manager"),
        "Design": ("Product Designer", "UX Researcher", "Brand Designer"),
    },
    "Sales": {
        "Enterprise Sales": ("Account Executive", "Enterprise Account Executive", "Sales Engineer"),
        "SMB Sales": ("Account Executive, SMB", "Inside Sales Representative"),
        "Sales Development": ("Sales Development Representative", "Business Development Representative"),
    },
    "Customer Success": {
        "Support": ("Customer Support Specialist", "Technical Support Engineer"),
        "Account Management": ("Customer Success Manager", "Account Manager"),
    },
    "Marketing": {
        "Growth": ("Growth Marketing Manager", "Lifecycle Marketing Manager"),
        "Content": ("Content Marketing Manager", "Technical Writer"),
        "Brand": ("Brand Marketing Manager", "Events Manager"),
    },
    "People": {
        "Recruiting": ("Technical Recruiter", "Recruiting Coordinator", "Sourcer"),
        "People Operations": ("People Partner", "HR Generalist"),
    },
    "Finance": {
        "Accounting": ("Staff Accountant", "Accounting Manager"),
        "FP&A": ("Financial Analyst", "FP&A Manager"),
    },
    "Legal": {"Legal": ("Corporate Counsel", "Paralegal", "Privacy Counsel")},
    "Operations": {
        "Business Operations": ("Business Operations Analyst", "Revenue Operations Manager"),
        "Workplace": ("Office Manager", "Workplace Coordinator"),
    },
}
DEPARTMENT_WEIGHTS: dict[str, int] = {
    "Engineering": 34,
    "Research & Development": 5,
    "Product": 9,
    "Sales": 17,
    "Customer Success": 10,
    "Marketing": 7,
    "People": 5,
    "Finance": 5,
    "Legal": 2,
    "Operations": 6,
}
SENIORITY: tuple[tuple[str, int], ...] = (
    ("", 45),
    ("Senior ", 28),
    ("Staff ", 6),
    ("Principal ", 3),
    ("Junior ", 6),
    ("Lead ", 5),
    ("Head of ", 0),
    ("Intern - ", 0),
)
LOCALIZED_TITLES: dict[str, tuple[str, ...]] = {
    "DE": ("Softwareentwickler (m/w/d)", "Vertriebsmitarbeiter (m/w/d)", "Werkstudent Marketing (m/w/d)"),
    "FR": ("Ingénieur logiciel", "Chargé de clientèle", "Responsable marketing"),
    "JP": ("ソフトウェアエンジニア", "カスタマーサクセスマネージャー"),
    "BR": ("Engenheiro de Software", "Executivo de Contas"),
}

# posting locations: (location text, country code, timezone, weight)
POSTING_LOCATIONS: tuple[tuple[str, str, str, int], ...] = (
    ("San Francisco, CA", "US", "America/Los_Angeles", 18),
    ("New York, NY", "US", "America/New_York", 14),
    ("Austin, TX", "US", "America/Chicago", 6),
    ("Seattle, WA", "US", "America/Los_Angeles", 5),
    ("Remote - US", "US", "America/New_York", 10),
    ("Toronto, ON", "CA", "America/Toronto", 4),
    ("London", "GB", "Europe/London", 8),
    ("Dublin", "IE", "Europe/Dublin", 3),
    ("Berlin", "DE", "Europe/Berlin", 5),
    ("München", "DE", "Europe/Berlin", 2),
    ("Paris", "FR", "Europe/Paris", 3),
    ("Amsterdam", "NL", "Europe/Amsterdam", 2),
    ("Zürich", "CH", "Europe/Zurich", 1),
    ("Warszawa", "PL", "Europe/Warsaw", 1),
    ("Tel Aviv", "IL", "Asia/Jerusalem", 2),
    ("Bengaluru", "IN", "Asia/Kolkata", 3),
    ("Singapore", "SG", "Asia/Singapore", 2),
    ("Tokyo", "JP", "Asia/Tokyo", 2),
    ("Sydney", "AU", "Australia/Sydney", 2),
    ("São Paulo", "BR", "America/Sao_Paulo", 2),
    ("Remote", "US", "UTC", 6),
)
COUNTRY_CURRENCY: dict[str, str] = {
    "US": "USD",
    "CA": "CAD",
    "GB": "GBP",
    "IE": "EUR",
    "DE": "EUR",
    "FR": "EUR",
    "NL": "EUR",
    "CH": "CHF",
    "PL": "PLN",
    "IL": "ILS",
    "IN": "INR",
    "SG": "SGD",
    "JP": "JPY",
    "AU": "AUD",
    "BR": "BRL",
}

# Candidate name locales (Faker person providers) with weights, and plausible home locations for each.
NAME_LOCALES: tuple[tuple[str, int], ...] = (
    ("en_US", 40),
    ("en_GB", 5),
    ("en_IN", 5),
    ("de_DE", 5),
    ("fr_FR", 4),
    ("es_ES", 3),
    ("es_MX", 3),
    ("pt_BR", 4),
    ("it_IT", 2),
    ("nl_NL", 2),
    ("pl_PL", 2),
    ("sv_SE", 1),
    ("tr_TR", 1),
    ("ru_RU", 2),
    ("uk_UA", 1),
    ("zh_CN", 4),
    ("ja_JP", 2),
    ("ko_KR", 2),
    ("hi_IN", 1),
    ("vi_VN", 1),
    ("el_GR", 1),
    ("ar_SA", 2),
    ("fa_IR", 1),
    ("he_IL", 1),
)
# locales whose names are written family name first
FAMILY_FIRST_LOCALES = frozenset({"zh_CN", "ja_JP", "ko_KR"})
NO_SPACE_LOCALES = frozenset({"zh_CN", "ko_KR"})

CITIES_BY_LOCALE: dict[str, tuple[str, ...]] = {
    "en_US": (
        "Oakland",
        "San Francisco, CA",
        "New York, NY",
        "Brooklyn, NY",
        "Austin, TX",
        "Chicago, IL",
        "Seattle, WA",
        "Boston, MA",
        "Denver, CO",
        "Atlanta, GA",
        "Portland, OR",
        "Los Angeles, CA",
        "Raleigh, NC",
        "Miami, FL",
        "Minneapolis, MN",
        "Salt Lake City, UT",
        "Pittsburgh, PA",
        "San Diego, CA",
        "Phoenix, AZ",
        "United States",
    ),
    "en_GB": ("London", "Manchester, UK", "Edinburgh", "Bristol, United Kingdom", "Leeds", "Cambridge, UK"),
    "en_IN": ("Bengaluru, Karnataka", "Pune", "Hyderabad, India", "Chennai", "Mumbai, Maharashtra"),
    "hi_IN": ("New Delhi", "Noida, Uttar Pradesh", "Gurugram", "Jaipur, India"),
    "de_DE": ("Berlin", "München", "Hamburg, Deutschland", "Köln", "Frankfurt am Main", "Düsseldorf"),
    "fr_FR": ("Paris", "Lyon, France", "Montréal, QC", "Toulouse", "Nantes", "Lille, France"),
    "es_ES": ("Madrid", "Barcelona, España", "Valencia", "Sevilla"),
    "es_MX": ("Ciudad de México", "Guadalajara, Jalisco", "Monterrey, N.L.", "Bogotá, Colombia"),
    "pt_BR": ("São Paulo, SP", "Rio de Janeiro", "Belo Horizonte, MG", "Florianópolis", "Lisboa, Portugal"),
    "it_IT": ("Milano", "Roma, Italia", "Torino", "Bologna"),
    "nl_NL": ("Amsterdam", "Rotterdam", "Utrecht, Nederland", "Eindhoven"),
    "pl_PL": ("Warszawa", "Kraków", "Wrocław, Polska", "Gdańsk"),
    "sv_SE": ("Stockholm", "Göteborg", "Malmö, Sverige"),
    "tr_TR": ("İstanbul", "Ankara, Türkiye", "İzmir"),
    "ru_RU": ("Москва", "Санкт-Петербург", "Berlin", "Tbilisi, Georgia"),
    "uk_UA": ("Київ", "Львів", "Warszawa", "Kyiv, Ukraine"),
    "zh_CN": ("上海", "北京", "深圳, 中国", "Shanghai, China", "Singapore"),
    "ja_JP": ("東京都", "大阪府", "Tokyo, Japan", "横浜市"),
    "ko_KR": ("서울", "Seoul, South Korea", "부산", "성남시"),
    "vi_VN": ("Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng"),
    "el_GR": ("Αθήνα", "Θεσσαλονίκη", "Athens, Greece"),
    "ar_SA": ("الرياض", "دبي", "Dubai, UAE", "القاهرة", "Amman, Jordan"),
    "fa_IR": ("تهران", "Toronto, ON", "اصفهان"),
    "he_IL": ("תל אביב-יפו", "ירושלים", "Tel Aviv, Israel", "חיפה"),
}

# Personal e-mail domains: reserved names only (RFC 2606 / RFC 6761), so nothing can reach a real inbox.
PERSONAL_EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.example", 40),
    ("outlook.example", 12),
    ("yahoo.example", 8),
    ("icloud.example", 6),
    ("proton.example", 4),
    ("example.com", 8),
    ("example.org", 4),
    ("example.net", 4),
    ("mail.example.com", 3),
    ("gmx.example", 3),
    ("qq.example", 2),
    ("naver.example", 2),
    ("yandex.example", 2),
    ("alumni.example.edu", 2),
)
COMPANY_EMAIL_DOMAIN = "northwind.example"
JOB_SITE = "northwind"  # jobs.lever.co/<site>

COMPANIES: tuple[str, ...] = (
    "Brickly LLC",
    "Vandelay Industries, Inc",
    "Central Perk",
    "Dyad Industries",
    "Initech",
    "Globex Corporation",
    "Hooli",
    "Pied Piper",
    "Stark Industries",
    "Wayne Enterprises",
    "Acme Corp",
    "Umbrella Health",
    "Soylent Foods",
    "Cyberdyne Systems",
    "Tyrell Corporation",
    "Wonka Industries",
    "Gringotts Bank",
    "Monarch Solutions",
    "Blue Sun Logistics",
    "Oscorp",
    "Massive Dynamic",
    "Aperture Science",
    "Black Mesa Labs",
    "Nakatomi Trading",
    "Sterling Cooper",
    "Dunder Mifflin",
    "Prestige Worldwide",
    "Bluth Company",
    "Los Pollos Hermanos",
    "Virtucon",
    "Gekko & Co",
    "Wernham Hogg",
    "Rekall",
    "Ollivanders",
    "Buy n Large",
    "Kessler Maschinenbau GmbH",
    "Lumière SA",
    "Müller & Söhne AG",
    "Nordlicht Software AB",
    "株式会社サクラ",
    "华信科技有限公司",
    "Café Société",
    "Óptima Consultores",
    "Zeta Analytics",
    "Northbridge Capital",
    "Quantum Ridge",
    "Helios Energy",
    "Tidewater Bio",
    "Copperleaf Systems",
    "Riverbend Labs",
    "Freelance",
    "Self-employed",
)
SCHOOLS: tuple[tuple[str, str, str], ...] = (
    ("Stanford University", "BS", "Computer Science"),
    ("University of California, Berkeley", "BA", "Economics"),
    ("New York University Stern", "BS", "Marketing"),
    ("Massachusetts Institute of Technology", "MS", "Electrical Engineering"),
    ("University of Michigan", "BSE", "Industrial Engineering"),
    ("Georgia Institute of Technology", "BS", "Computer Engineering"),
    ("University of Texas at Austin", "BBA", "Finance"),
    ("Savannah College of Art and Design", "BFA", "Graphic Design"),
    ("University of Oxford", "MA", "Philosophy, Politics and Economics"),
    ("Technische Universität München", "M.Sc.", "Informatik"),
    ("École Polytechnique", "Diplôme d'ingénieur", "Mathématiques appliquées"),
    ("Universidade de São Paulo", "Bacharelado", "Engenharia de Computação"),
    ("Indian Institute of Technology Bombay", "B.Tech", "Mechanical Engineering"),
    ("University of Toronto", "BSc", "Statistics"),
    ("National University of Singapore", "BComp", "Information Systems"),
    ("東京大学", "学士", "工学"),
    ("Tsinghua University", "BEng", "Automation"),
    ("Universität Wien", "BA", "Publizistik"),
    ("Coding Bootcamp", "", "Full-stack Web Development"),
    ("Community College of Denver", "AA", "General Studies"),
)
JOB_TITLES_GENERIC: tuple[str, ...] = (
    "Software Engineer",
    "Senior Software Engineer",
    "Engineering Manager",
    "Account Executive",
    "Product Manager",
    "Data Analyst",
    "Customer Success Manager",
    "Designer",
    "Recruiter",
    "Consultant",
    "Intern",
    "Founder",
    "Teaching Assistant",
    "VP Digital Media Productions",
    "Office Manager",
    "Marketing Coordinator",
)
USER_JOB_TITLES: tuple[str, ...] = (
    "Technical Recruiter",
    "Senior Recruiter",
    "Recruiting Coordinator",
    "Head of Talent",
    "Sourcer",
    "Engineering Manager",
    "Software Engineer",
    "VP of Sales",
    "Director of Product",
    "Hiring Manager",
    "People Partner",
    "CTO",
    "IT procurements manager",
)

LINK_PATTERNS: tuple[tuple[str, int], ...] = (
    ("https://www.linkedin.com/in/{slug}", 50),
    ("linkedin.com/in/{slug}-{hex}", 12),
    ("https://github.com/{slug}", 15),
    ("https://{slug}.dev", 5),
    ("https://www.{slug}.example", 5),
    ("indeed.com/r/{slug}/{hex}", 4),
    ("https://twitter.com/{slug}", 3),
    ("https://dribbble.com/{slug}", 3),
    ("https://stackoverflow.com/users/{num}/{slug}", 3),
)

EMOJI: tuple[str, ...] = ("🚀", "✨", "🌈", "😀", "🎯", "💡", "🔥", "🌻", "🦄", "👩‍💻", "🇺🇦", "🏳️‍🌈")

# ---------------------------------------------------------------------------------------------
# Sub-resource vocabulary (used by materialize.py; no Faker in the hot path)
NOTE_TEMPLATES: tuple[str, ...] = (
    "Spoke with {first} today. Strong background in {skill}; wants to hear more about the {team} team.",
    "@{mention} can you take a look at {first}'s profile? Could be a fit for {title}.",
    "{first} is interviewing elsewhere and expects an offer in ~2 weeks. Let's move quickly.",
    "Left a voicemail, will follow up by email on Thursday.",
    "Candidate asked about remote work and visa sponsorship. Forwarded to @{mention}.",
    "Great call. Compensation expectations are above band ({salary}k). Flagging for the HM.",
    "Not a fit right now: limited {skill} experience. Keep warm for future roles.",
    "Reference from {company} was very positive: 'one of the best engineers I've worked with'.",
    "Rescheduled the on-site to next week at {first}'s request (family commitment).",
    "Sent the take-home; due Monday. Reminder set.",
    "Met {first} at the {skill} meetup. Very sharp, interested in {team}.",
    "Recruiter screen done: motivated, clear communicator, notice period 1 month.",
    "Gespräch mit {first}: sehr gute Erfahrung mit {skill}, Gehaltsvorstellung passt.",
    "Entrevista muy buena; {first} tiene experiencia sólida en {skill}.",
    "{first}さんと面談しました。{skill}の経験が豊富です。",
    "Candidate withdrew 🙁 — accepted a counter-offer at {company}.",
    "Moving {first} to on-site ✅",
)
NOTE_REPLIES: tuple[str, ...] = (
    "Sounds great, @{mention}! I will send an email this week.",
    "Agreed, let's move forward.",
    "I have concerns about the {skill} depth, can we probe that in the on-site?",
    "Done — scheduled for Tuesday.",
    "+1",
    "Thanks for the heads-up.",
    "Let's hold until the HM is back from PTO.",
    "Updated the scorecard.",
)
NOTE_HTML_SNIPPETS: tuple[str, ...] = (
    'Pasted from email: <div class="gmail_quote"><b>Hi team,</b><br>Please see '
    '<a href="https://{slug}.example/portfolio" '
    'onclick="steal()">my portfolio</a><script>alert(1)</script></div>',
    "<p>Candidate's cover letter:</p><script>alert(1)</script><p>I am <i>very</i> excited &amp; ready &lt;3</p>",
    "<img src=x onerror=alert(document.cookie)> Note imported from old ATS <script>alert(1)</script> "
    "<style>body{{display:none}}</style>",
)
SKILLS: tuple[str, ...] = (
    "Python",
    "Go",
    "Kubernetes",
    "React",
    "TypeScript",
    "distributed systems",
    "SQL",
    "enterprise sales",
    "negotiation",
    "data modeling",
    "machine learning",
    "product strategy",
    "customer onboarding",
    "Rust",
    "Java",
    "iOS",
)
FEEDBACK_TEXTS: tuple[str, ...] = (
    "Had a great conversation. Clear thinker, strong ownership.",
    "Solid fundamentals but struggled with the system design portion.",
    "Very strong communicator; would be a great addition to the team.",
    "Not enough depth for a senior role. Maybe mid-level.",
    "Good culture add, asked thoughtful questions about the roadmap.",
    "Mixed signals: great on coding, weak on collaboration examples.",
    "Strong hire. Exceeded expectations on every dimension.",
    "Kandidat hat überzeugt — sehr strukturiert.",
    "Candidate was 15 minutes late and seemed unprepared.",
)
CODE_SNIPPETS: tuple[tuple[str, str], ...] = (
    (
        "python",
        "def two_sum(nums, target):\n    seen = {}\n    for i, n in enumerate(nums):\n"
        "        if target - n in seen:\n            return seen[target - n], i\n        seen[n] = i\n",
    ),
    (
        "javascript",
        "const debounce = (fn, ms) => {\n  let t;\n  return (...a) => { clearTimeout(t); "
        "t = setTimeout(() => fn(...a), ms); };\n};\n",
    ),
    ("sql", "SELECT team, count(*) AS hires\nFROM offers WHERE status = 'signed'\nGROUP BY team ORDER BY 2 DESC;\n"),
    (
        "go",
        "func Reverse(s string) string {\n\tr := []rune(s)\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n"
        "\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn string(r)\n}\n",
    ),
)
INTERVIEW_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Recruiter screen": ("Recruiter screen", "Intro call", "Recruiter phone screen"),
    "Phone screen": ("Technical phone screen", "Hiring manager phone screen", "Phone screen"),
    "On-site interview": (
        "System design",
        "Coding interview",
        "Behavioral interview",
        "Lunch with the team",
        "Hiring manager interview",
        "Culture add",
        "Case study presentation",
        "Pair programming",
    ),
}
INTERVIEW_LOCATIONS: tuple[str | None, ...] = (
    None,
    "Zoom",
    "Google Meet",
    "Conference room Hopper",
    "Conference room Lovelace",
    "https://meet.example.com/abc-defg-hij",
    "Phone",
)
FILE_NAMES: tuple[tuple[str, str, int], ...] = (
    # (base name, ext with dot, weight)
    ("Cover letter", ".pdf", 22),
    ("Portfolio", ".pdf", 10),
    ("Transcript", ".pdf", 7),
    ("References", ".docx", 8),
    ("Cover_Letter_final_v2", ".docx", 6),
    ("take-home-solution", ".txt", 7),
    ("README", ".txt", 3),
    ("screenshot", ".png", 4),
    ("Arbeitszeugnis", ".pdf", 3),
    ("履歴書", ".pdf", 2),
    ("Lettre de motivation", ".docx", 2),
    ("Work sample", ".pdf", 6),
)
OFFER_STATUSES_NOT_HIRED: tuple[tuple[str, int], ...] = (
    ("denied", 30),
    ("sent", 20),
    ("opened", 15),
    ("approved", 10),
    ("sent-manually", 8),
    ("approval-sent", 7),
    ("draft", 10),
)
REFERRAL_RELATIONSHIPS: tuple[str, ...] = (
    "Former colleague",
    "Friend",
    "Reputation",
    "Other",
    "Don't know this person",
)
USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
)
ACCEPT_LANGUAGES: tuple[str, ...] = (
    "en-US,en;q=0.9",
    "en-GB,en;q=0.8",
    "de-DE,de;q=0.9,en;q=0.7",
    "fr-FR,fr;q=0.9",
    "ja,en-US;q=0.8",
    "pt-BR,pt;q=0.9,en;q=0.6",
)

# ---------------------------------------------------------------------------------------------
# Feedback templates (§5.8). Together their fields cover every field type feedback can carry; each
# template has exactly one `score-system` field. Field spec: (type, text, required, extra).
SCORE_OPTIONS: tuple[str, ...] = ("4 - Strong Hire", "3 - Hire", "2 - No Hire", "1 - Strong No Hire")
FEEDBACK_TEMPLATE_DEFS: tuple[dict, ...] = (
    {
        "text": "Phone Screen",
        "group": "Screens",
        "instructions": "Keep it to 30 minutes. Cover motivation, logistics and one technical question.",
        "stage_hint": ("Recruiter screen", "Phone screen"),
        "fields": (
            ("score-system", "Overall rating", True, {}),
            ("textarea", "Notes / Comments", True, {}),
            ("yes-no", "Would you like to move forward?", True, {}),
            (
                "multiple-choice",
                "Salary expectations",
                False,
                {"options": ("Below range", "In range", "Above range")},
            ),
            ("currency", "Current compensation", False, {"currency": "USD"}),
            ("date", "Earliest start date", False, {}),
        ),
    },
    {
        "text": "General On-site Interview",
        "group": "On-site Interviews",
        "instructions": "Sample questions to ask: tell me about a project you are proud of.",
        "stage_hint": ("On-site interview",),
        "fields": (
            ("score-system", "Rating", False, {}),
            (
                "scorecard",
                "",
                False,
                {
                    "scores": (
                        ("Adaptability", "Will this person work well in a fast paced environment?"),
                        ("Work Ethic", "Are they going to help lead the team to set a high bar?"),
                        ("Communication", "Can they explain complex ideas simply?"),
                    )
                },
            ),
            (
                "multiple-select",
                "What questions did you ask the candidate?",
                False,
                {
                    "options": (
                        "What programming languages are you most comfortable with?",
                        "Can you email us two or three references that we can speak to?",
                        "What project are you most proud of?",
                    )
                },
            ),
            ("textarea", "Other thoughts?", False, {}),
        ),
    },
    {
        "text": "Technical Interview",
        "group": "On-site Interviews",
        "instructions": "Use the shared editor. Paste the final code below.",
        "stage_hint": ("On-site interview", "Phone screen"),
        "fields": (
            ("score-system", "Overall", True, {}),
            ("score", "Problem solving", True, {}),
            ("score", "Code quality", False, {}),
            ("code", "Final code", False, {"language": "python"}),
            ("dropdown", "Level assessment", False, {"options": ("Junior", "Mid", "Senior", "Staff")}),
            ("textarea", "Notes", False, {}),
        ),
    },
    {
        "text": "Hiring Manager Interview",
        "group": None,
        "instructions": "Focus on motivation and team fit.",
        "stage_hint": ("On-site interview", "Phone screen"),
        "fields": (
            ("score-system", "Rating", True, {}),
            ("text", "Key strengths", False, {}),
            ("text", "Concerns", False, {}),
            ("yes-no", "Culture add?", False, {}),
            ("dropdown", "Team match", False, {"options": ("Platform", "Growth", "Core", "Any")}),
        ),
    },
    {
        "text": "Reference Check",
        "group": None,
        "instructions": "Two references minimum; one must be a former manager.",
        "stage_hint": ("Reference check",),
        "fields": (
            ("score-system", "Overall signal", True, {}),
            ("text", "Reference name and relationship", True, {}),
            ("date", "Date of call", False, {}),
            ("multiple-choice", "Would they rehire?", True, {"options": ("Yes", "Maybe", "No")}),
            ("textarea", "Notes", False, {}),
        ),
    },
)

FORM_TEMPLATE_DEFS: tuple[dict, ...] = (
    {
        "text": "Compensation & logistics",
        "instructions": "Fill in after the recruiter screen.",
        "secretByDefault": True,
        "fields": (
            ("currency", "Current base salary", False, {"currency": "USD"}),
            ("currency", "Expected base salary", False, {"currency": "USD"}),
            ("date", "Available start date", False, {}),
            ("yes-no", "Requires visa sponsorship?", True, {}),
            (
                "dropdown",
                "Notice period",
                False,
                {"options": ("Immediately", "2 weeks", "1 month", "3 months")},
            ),
            ("text", "Preferred office", False, {}),
        ),
    },
    {
        "text": "Interview logistics",
        "instructions": "",
        "secretByDefault": False,
        "fields": (
            ("dropdown", "Interview format", True, {"options": ("Remote", "On-site", "Hybrid")}),
            ("textarea", "Accessibility needs", False, {}),
            ("yes-no", "Needs travel booking?", False, {}),
            (
                "multiple-select",
                "Languages spoken",
                False,
                {"options": ("English", "German", "French", "Spanish", "Japanese")},
            ),
        ),
    },
    {
        "text": "Sourcing details",
        "instructions": "How did we find this person?",
        "secretByDefault": False,
        "fields": (
            (
                "multiple-choice",
                "Channel",
                True,
                {"options": ("Event", "Outbound", "Inbound", "Referral", "Other")},
            ),
            ("text", "Event or campaign", False, {}),
            ("date", "First contact", False, {}),
        ),
    },
)

OFFER_FIELD_DEFS: tuple[tuple[str, str], ...] = (
    ("Job posting", "job_posting"),
    ("Job title", "job_title"),
    ("Candidate name", "candidate_name"),
    ("Offered compensation amount", "salary_amount"),
    ("Compensation currency", "compensation_currency"),
    ("Type of earnings", "salary_interval"),
    ("Hiring manager", "hiring_manager"),
    ("Today's date", "today_date"),
    ("Direct manager", "direct_manager"),
    ("Anticipated start date", "anticipated_start_date"),
)

POSTING_DESCRIPTIONS: tuple[str, ...] = (
    "The {title} will act as a force multiplier for the {team} team.",
    "We are looking for a {title} to help us build the future of hiring.",
    "Join {team} as a {title} and own problems end to end.",
)
POSTING_LISTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Job requirements", ("Quick learner", "Ambitious", "3+ years of relevant experience", "Kind and direct")),
    ("What you will do", ("Ship every week", "Mentor others", "Talk to customers", "Write things down")),
    ("Benefits", ("Health, dental and vision", "Learning budget", "Flexible hours", "Parental leave")),
)
CLOSING_TEXT = "Our company is proud to be an equal opportunity workplace."
CLOSING_HTML = (
    '<div>Our <a href="https://www.lever.co/" class="postings-link">company</a> is '
    '<span style="font-size: 18px;">proud</span> to be an equal opportunity workplace.</div>'
)
