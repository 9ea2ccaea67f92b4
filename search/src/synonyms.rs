//! Hand-written English and API vocabulary: words an agent may use for the same
//! action or thing ("add a contact" for `CREATE_CONTACT`, "fetch my mail" for
//! `LIST_EMAILS`). A query term pulls in the other words of its groups at a lower weight.

use std::collections::HashMap;

use crate::tokenize::Analyzer;

/// Groups of interchangeable words. Action verbs first, then API nouns, then the
/// everyday vocabulary of common tool domains. Words are stemmed when the thesaurus is
/// built, so any inflection may be written.
const GROUPS: &[&[&str]] = &[
    // Actions on records.
    &["create", "add", "new", "make", "insert", "register", "open", "start", "generate", "compose", "build", "post"],
    &["list", "get", "fetch", "retrieve", "search", "find", "show", "lookup", "query", "browse", "view", "display"],
    &["get", "read", "fetch", "retrieve", "obtain", "access", "load", "check", "see", "info", "information", "detail"],
    &["search", "find", "lookup", "look", "discover", "locate", "explore", "seek", "query"],
    &["delete", "remove", "erase", "destroy", "drop", "discard", "trash", "purge", "clear", "cancel"],
    &["update", "edit", "modify", "change", "patch", "set", "alter", "adjust", "rename", "replace", "revise"],
    &["send", "post", "deliver", "dispatch", "transmit", "share", "forward", "notify", "publish"],
    &["reply", "respond", "answer", "comment"],
    &["upload", "attach", "import", "put", "store", "save"],
    &["download", "export", "save", "backup"],
    &["archive", "close", "resolve", "complete", "finish", "done"],
    &["assign", "allocate", "delegate"],
    &["invite", "add", "join", "include"],
    &["schedule", "book", "reserve", "plan", "arrange", "appointment", "booking", "reservation"],
    &["track", "monitor", "follow", "watch", "status", "trace"],
    &["translate", "translation", "language", "convert"],
    &["convert", "transform", "change", "format", "conversion"],
    &["calculate", "compute", "estimate", "count", "measure", "calculator", "math", "arithmetic", "sum"],
    &["analyze", "analyse", "analysis", "evaluate", "assess", "examine", "inspect", "review", "audit", "insight"],
    &["summarize", "summary", "digest", "overview", "recap", "abstract", "tldr"],
    &["recommend", "suggest", "recommendation", "suggestion", "advice", "advise", "tip", "idea", "propose"],
    &["compare", "comparison", "versus", "difference", "contrast"],
    &["predict", "forecast", "prediction", "projection", "estimate", "outlook"],
    &["buy", "purchase", "order", "shop", "shopping", "checkout", "acquire"],
    &["sell", "sale", "listing", "market"],
    &["pay", "payment", "charge", "bill", "billing", "invoice", "checkout", "transaction"],
    &["learn", "study", "teach", "education", "tutorial", "lesson", "course", "practice", "training", "tutor"],
    &["write", "draft", "compose", "author", "create", "generate"],
    &["edit", "proofread", "correct", "improve", "rewrite", "polish", "grammar"],
    &["login", "signin", "authenticate", "auth", "credential", "password"],
    &["subscribe", "subscription", "follow", "newsletter"],
    &["verify", "validate", "check", "confirm", "validation", "verification"],
    &["sort", "rank", "order", "top", "best", "popular", "trending"],
    &["merge", "combine", "join", "consolidate"],
    &["copy", "duplicate", "clone"],
    &["move", "transfer", "relocate"],
    &["run", "execute", "trigger", "invoke", "launch", "perform"],
    &["stop", "halt", "pause", "end", "terminate", "disable"],
    &["enable", "activate", "turn", "start"],
    // API nouns.
    &["message", "chat", "text", "dm", "conversation", "msg"],
    &["email", "mail", "gmail", "inbox", "message", "outlook"],
    &["channel", "room", "group", "conversation", "chat"],
    &["issue", "ticket", "bug", "task", "problem", "incident"],
    &["task", "todo", "item", "card", "assignment", "job"],
    &["project", "board", "workspace", "repo", "repository"],
    &["repository", "repo", "codebase", "project"],
    &["pull", "pr", "merge", "request"],
    &["file", "document", "doc", "attachment", "folder", "drive"],
    &["document", "doc", "paper", "page", "note", "article", "file", "pdf"],
    &["folder", "directory", "dir", "path"],
    &["contact", "person", "people", "user", "member", "customer", "lead", "client"],
    &["user", "member", "account", "profile", "person", "people", "employee"],
    &["customer", "client", "buyer", "consumer", "shopper"],
    &["company", "organization", "organisation", "org", "business", "firm", "enterprise", "employer"],
    &["team", "group", "department", "squad"],
    &["event", "meeting", "calendar", "appointment", "session", "call"],
    &["calendar", "schedule", "agenda", "date", "planner"],
    &["date", "day", "time", "when", "today", "tomorrow", "week", "month", "year"],
    &["time", "clock", "hour", "minute", "timezone", "duration"],
    &["spreadsheet", "sheet", "table", "excel", "csv", "row", "cell"],
    &["record", "row", "entry", "item", "field", "data"],
    &["database", "db", "table", "record", "sql", "query"],
    &["deal", "opportunity", "pipeline", "sale"],
    &["comment", "reply", "feedback", "note", "remark", "review"],
    &["review", "rating", "feedback", "opinion", "testimonial", "rate"],
    &["label", "tag", "category", "topic", "keyword"],
    &["link", "url", "website", "site", "webpage", "domain", "web", "address"],
    &["webhook", "callback", "hook", "notification"],
    &["notification", "alert", "reminder", "notify", "remind"],
    &["id", "identifier", "key", "number", "code"],
    &["name", "title", "label"],
    &["description", "detail", "info", "information", "summary"],
    &["permission", "access", "role", "right", "privilege", "scope"],
    &["report", "dashboard", "analytics", "statistic", "stats", "metric", "insight"],
    &["log", "history", "activity", "audit", "record"],
    &["api", "endpoint", "service", "integration"],
    &["code", "program", "script", "software", "developer", "programming", "coding", "snippet", "function"],
    &["bug", "error", "issue", "defect", "fault", "crash", "debug"],
    &["test", "quiz", "exam", "assessment", "question"],
    // Everyday domains.
    &["image", "picture", "photo", "photograph", "pic", "graphic", "illustration", "drawing", "art", "visual"],
    &["video", "clip", "movie", "film", "footage", "stream", "youtube"],
    &["movie", "film", "cinema", "show", "tv", "series", "episode", "watch"],
    &["music", "song", "track", "album", "playlist", "artist", "band", "tune", "lyric", "melody", "audio"],
    &["audio", "sound", "voice", "speech", "podcast", "listen", "recording"],
    &["podcast", "episode", "show", "audio", "listen"],
    &["book", "novel", "read", "reading", "author", "literature", "library", "ebook"],
    &["news", "headline", "article", "story", "press", "journalism", "current"],
    &["weather", "forecast", "temperature", "rain", "climate", "sunny", "snow", "wind", "humidity"],
    &["travel", "trip", "flight", "hotel", "vacation", "holiday", "journey", "tour", "destination", "itinerary"],
    &["flight", "airline", "plane", "airport", "fly", "ticket"],
    &["hotel", "accommodation", "lodging", "stay", "room", "airbnb", "rental"],
    &["restaurant", "dining", "dinner", "lunch", "eat", "meal", "food", "cuisine", "cafe"],
    &["food", "recipe", "cook", "cooking", "meal", "dish", "ingredient", "cuisine", "eat", "diet", "nutrition"],
    &["recipe", "cook", "cooking", "bake", "dish", "ingredient"],
    &["health", "medical", "medicine", "doctor", "symptom", "disease", "wellness", "fitness", "clinic", "illness"],
    &["fitness", "exercise", "workout", "gym", "training", "sport"],
    &["diet", "nutrition", "calorie", "food", "weight", "healthy"],
    &["mental", "stress", "anxiety", "mood", "therapy", "meditation", "mindfulness", "emotion"],
    &["money", "finance", "financial", "cash", "fund", "budget", "dollar", "currency", "price", "cost"],
    &["stock", "share", "equity", "ticker", "market", "invest", "investment", "portfolio", "trading", "trade"],
    &["crypto", "cryptocurrency", "bitcoin", "ethereum", "coin", "token", "blockchain", "nft"],
    &["currency", "exchange", "rate", "forex", "dollar", "euro"],
    &["price", "cost", "fee", "rate", "cheap", "expensive", "deal", "discount", "coupon", "bargain"],
    &["discount", "coupon", "deal", "promo", "promotion", "sale", "offer", "voucher"],
    &["product", "item", "goods", "merchandise", "shop", "store"],
    &["job", "career", "employment", "work", "hire", "hiring", "resume", "cv", "interview", "vacancy", "position"],
    &["resume", "cv", "curriculum", "vitae"],
    &["house", "home", "property", "apartment", "real", "estate", "rent", "housing", "mortgage"],
    &["car", "vehicle", "auto", "automobile", "dealer", "drive", "driving"],
    &["map", "location", "place", "address", "direction", "route", "navigation", "nearby", "geo", "gps"],
    &["game", "play", "gaming", "puzzle", "fun", "player"],
    &["joke", "funny", "humor", "humour", "meme", "laugh", "fun"],
    &["word", "dictionary", "definition", "meaning", "vocabulary", "synonym", "define"],
    &["question", "answer", "ask", "faq", "query"],
    &["research", "paper", "academic", "scholar", "study", "science", "scientific", "journal", "publication"],
    &["history", "historical", "ancient", "past", "heritage"],
    &["law", "legal", "lawyer", "attorney", "contract", "regulation", "court"],
    &["tax", "taxes", "irs", "deduction", "accounting", "accountant"],
    &["insurance", "policy", "coverage", "claim"],
    &["gift", "present", "gifting"],
    &["pet", "dog", "cat", "animal"],
    &["plant", "garden", "gardening", "flower", "tree"],
    &["kid", "child", "children", "parent", "parenting", "family", "baby"],
    &["wine", "beer", "drink", "cocktail", "beverage", "alcohol"],
    &["fashion", "clothing", "clothes", "outfit", "style", "apparel", "wear", "dress", "shoe"],
    &["social", "twitter", "tweet", "facebook", "instagram", "post", "linkedin", "influencer"],
    &["ad", "ads", "advertising", "advertisement", "campaign", "marketing", "seo"],
    &["chart", "graph", "plot", "diagram", "visualize", "visualization"],
    &["pdf", "document", "file"],
    &["slide", "presentation", "deck", "powerpoint"],
    &["shorten", "short", "shortener", "tiny"],
    &["domain", "dns", "whois", "website", "hostname"],
    &["password", "secure", "security", "secret", "safe", "privacy"],
    &["event", "concert", "festival", "ticket", "show", "conference"],
    &["sport", "football", "soccer", "basketball", "baseball", "score", "match", "team", "league"],
    &["space", "astronomy", "planet", "star", "nasa", "galaxy", "telescope"],
    &["earth", "geology", "earthquake", "volcano", "rock"],
    &["energy", "power", "electricity", "solar"],
    &["environment", "environmental", "sustainability", "carbon", "emission", "pollution", "green", "eco"],
    &["speak", "speaking", "pronounce", "pronunciation", "conversation", "talk", "say"],
    &["quote", "quotation", "saying", "inspiration", "motivational"],
    &["horoscope", "astrology", "zodiac", "tarot"],
];

/// Related terms of each stemmed term, with the weight a query gives them.
///
/// ```
/// let analyzer = toolsmith_search::Analyzer::new();
/// let thesaurus = toolsmith_search::Thesaurus::new(&analyzer);
/// let related = thesaurus.related(&analyzer.stem("remove"));
/// assert!(related.contains(&analyzer.stem("delete").as_str()));
/// ```
#[derive(Debug, Default)]
pub struct Thesaurus {
    related: HashMap<String, Vec<String>>,
}

impl Thesaurus {
    /// The built-in vocabulary, stemmed with `analyzer`.
    pub fn new(analyzer: &Analyzer) -> Self {
        let mut related: HashMap<String, Vec<String>> = HashMap::new();
        for group in GROUPS {
            let stems: Vec<String> = group.iter().map(|w| analyzer.stem(w)).collect();
            for stem in &stems {
                let entry = related.entry(stem.clone()).or_default();
                for other in &stems {
                    if other != stem && !entry.contains(other) {
                        entry.push(other.clone());
                    }
                }
            }
        }
        Thesaurus { related }
    }

    /// The terms related to a stemmed term (empty when it has none).
    pub fn related(&self, stem: &str) -> Vec<&str> {
        self.related.get(stem).map(|v| v.iter().map(String::as_str).collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_lower_case_words() {
        for group in GROUPS {
            assert!(group.len() >= 2, "a group needs two words: {group:?}");
            for word in *group {
                assert!(word.chars().all(|c| c.is_ascii_lowercase()), "{word:?} must be one lower-case word");
            }
        }
    }

    #[test]
    fn relations_are_symmetric() {
        let analyzer = Analyzer::new();
        let t = Thesaurus::new(&analyzer);
        assert!(t.related("list").contains(&"fetch"));
        assert!(t.related("fetch").contains(&"list"));
        assert!(t.related("zzz").is_empty());
    }
}
