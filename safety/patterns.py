"""Risk cue patterns, written in a small notation that `safety.rules` compiles to spaCy Matcher rules.

Notation, one pattern a string, tokens separated by spaces:
- `a|b|c`   one token whose lemma (or text) is any of these; words are lemmatised when compiled,
            so `fell` also matches "falls" and "fallen";
- `=a|b`    the exact lower-case text (when tense matters: `=took` is past, `take` is not);
- `@name`   a word list from MACROS below;
- `(a b|c)` a group of alternatives that may be several words each;
- `#num`    a number ("30", "thirty");
- `~`       any one token, optional; `~ ~` allows up to two;
- a trailing `?` makes a token optional.

Text is lower-cased and normalised first (`safety.rules.normalise`): "can't" -> "can not",
"wanna" -> "want to", "kms" -> "kill myself", "self harm" -> "selfharm".
"""

from __future__ import annotations

MACROS: dict[str, str] = {
    "me": "i|me",
    "self": "myself",
    "them": "himself|herself|themselves|themself",
    "they": "he|she|they|mum|mom|mother|dad|father|husband|wife|partner|son|daughter|brother|"
    "sister|friend|nan|nana|gran|granny|grandad|grandpa|grandma|neighbour|neighbor|boyfriend|"
    "girlfriend|child|kid|grandson|granddaughter|aunt|uncle|cousin|mate|carer|flatmate|someone",
    "family": "mum|mom|mother|dad|father|husband|wife|partner|son|daughter|brother|sister|nan|"
    "gran|granny|grandad|grandma|grandpa|boyfriend|girlfriend|grandson|granddaughter|carer|"
    "uncle|aunt|stepdad|stepmum|ex|nephew|niece|family|neighbour|law|him|her|them",
    "not": "not|never",
    "pills": "pill|tablet|paracetamol|painkiller|medication|medicine|meds|sleeping|aspirin|"
    "ibuprofen|codeine|insulin|antidepressant|morphine|oramorph|tramadol|diazepam|codamol|cocodamol|"
    "sertraline|citalopram|amitriptyline|zopiclone|pregabalin|gabapentin",
    "die": "die|dead|death|suicide",
    "anymore": "anymore|more|longer",
    "body": "arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|body",
    "money": "money|pension|card|bank|savings|benefit|benefits|cash|pin|account|purse|wallet",
    "person_subject": "he|she|they|husband|wife|partner|son|daughter|boyfriend|girlfriend|dad|"
    "mum|father|mother|stepdad|stepmum|ex|brother|sister|carer|grandson|granddaughter|someone|man|"
    "woman|nephew|niece|law|uncle|aunt|cousin|neighbour|landlord|manager|boss|teacher|staff|lodger|"
    "kids|girls|boys|people|friend|friends|lady|bloke|guy",
}

# Words others said to the person ("people keep saying I should kill myself"): bullying, not the
# person's own wish. A suicide or self-harm cue inside one of these is not counted as theirs, and the
# words themselves are an abuse cue.
TOLD_BY_OTHERS: list[str] = [
    "(saying|says|said|saying that|says that|said that) (i|you) ~ (should|ought to|need to) ~ (kill|die|hang|cut)",
    "(telling|told|tell|tells) me to ~ ~ (kill|die|hang|cut)",
    "(messages|msgs|comments|posts|texts) ~ ~ ~ (saying|telling me) ~ ~ ~ (kill|die|hang|cut)",
    "kys|kill yourself",
]

# (name, risk type, level, patterns). The level is what the cue means on its own.
CUES: list[tuple[str, str, str, list[str]]] = [
    # --- suicide: thoughts, plans, indirect ideation, first and third person ------------------
    (
        "want_to_die",
        "suicide",
        "urgent",
        [
            "want|wish|wanna|hope to? die",
            "want|wish to? be dead",
            "wish @me be|was|were dead",
            "wish @me ~ never be born",
            "wish @me ~ ~ not wake up",
            "ready to die",
            "want|going|plan|try|think ~ to end it all?",
            "end it all",
            "want ~ it all to end|stop",
            "@not want to (live|be alive|exist|wake up)",
            "no longer want to (live|be alive|be here|exist)",
            "@not want to be here ~ @anymore",
            "@not want to be here",
            "@not see the point in|of (living|life|going on|being here|carrying on)",
            "what be the point in|of (living|life|going on|being here|carrying on|anything)",
            "nothing ~ to live for",
            "no reason|point to (live|living|go on|carry on|be here|keep going)",
            "@not want to (go on|carry on)",
            "can not (go on|carry on) ~ @anymore",
            "can not (go on|carry on)",
            "can not do this ~ @anymore",
            "can not take this|it ~ @anymore",
            "can not cope ~ @anymore",
        ],
    ),
    (
        "kill_self",
        "suicide",
        "urgent",
        [
            "kill|unalive @self",
            "end|take @me|my own? life",
            "suicide|suicidal",
            "thought|think|thinking about|of ending|taking my life",
            "hang|drown|shoot @self",
            "jump off|from a|the ~ bridge|building|roof|cliff|car|block|balcony",
            "jump in|under|infront|front ~ of? a|the train|bus|lorry|traffic",
            "step in|into front of a|the train|traffic",
            "overdose on purpose",
            "how many @pills ~ ~ to|would|will|does|kill|die",
            "how many @pills ~ ~ ~ ~ kill|die|overdose|lethal|fatal",
            "painless|easy|quick way|ways to die",
            "ways to die|kill",
            "rope be? ready",
            "bought|buy|got ~ a rope",
            "write|wrote|written ~ ~ goodbye|suicide note|notes|letter|letters",
            "say|said goodbye to everyone|everybody",
            "give|giving away my thing|stuff|belongings|possessions",
            "give|giving ~ ~ thing|things|stuff|belongings|possessions away",
            "not sure|certain ~ ~ want to (live|go on|be here|carry on|keep going)",
            "do not know if|whether ~ ~ want to (live|go on|be here|carry on|keep going)",
            "want|wish ~ someone|somebody|something to? kill|end me",
            "sort|sorted out my affairs|will ~ ~ so everyone",
            "better off without me",
            "better off if @me (be dead|be gone|be not here|died|die)",
            "better off dead",
            "better|happier|easier|best ~ ~ ~ ~ if @me ~ ~ ~ not around|here|alive|exist|existed",
            "save|saved|saving|stockpile|stockpiled|stockpiling|collect|collected|collecting|hoard|hoarding|=kept|=keeping ~ ~ ~ ~ @pills",
            "affairs in order",
            "think|thinking|thought about|of (jumping|hanging myself|overdosing|ending it|not being here|dying)",
            "wish|wishes ~ be|was|were dead",
            "say|saying|said goodbye to people|everyone|everybody|family|friends",
            "tonight be the night",
            "@pills ~ ~ (lined up|counted out|laid out|all ready)",
            "throw|throwing|threw myself (in front|under|off)",
            "(ready to go|want to go|wants to go) and ~ ~ be with",
            "world|everyone|everybody|family ~ be better without me",
            "everyone would|will be happier without me",
            "@not want to wake up",
            "rather not (wake up|be here|be alive|exist|be around)",
            "rather be dead",
            "would not care|mind if @me (got|get) (hit|run over|killed)",
            "would not care|mind if @me (died|die|did not wake up|never woke up)",
            "jump|jumping|throw|throwing ~ off|from ~ ~ (multi storey|car park|flyover|tower|cliff|bridge|roof|balcony|building|ledge)",
            "walk|walking|walked into the sea|river|reservoir|lake|canal|water",
            "(drive|driving|crash|crashing|steer|steering|swerve|swerving) ~ ~ (into|off|in front of) ~ ~ (tree|wall|bridge|lorry|lorries|river|cliff|bus|train|traffic|road)",
            "(sat|sitting|standing|stood) on|at ~ ~ ~ (bridge|ledge|edge|roof|cliff|tracks|railway)",
            "(going to|want to|will|plan to|about to) (take|swallow) (all|every|the lot of) ~ ~ ~ @pills",
            "@pills ~ (out in front of me|out on the table|in front of me|in my hand)",
            "engine running ~ ~ ~ garage",
            "garage ~ ~ ~ ~ ~ ~ engine running",
            "better off with the life insurance",
            "(written|wrote|write|finished) ~ my (note|notes|letter|letters|goodbyes)",
            "goodbye (message|post|text|note|letter|video|messages|posts)",
            "(saying|said|says|saying that) ~ ~ (thanks|thank you) for everything",
            "(hope|hoping|pray|praying|wish|wishing) ~ ~ ~ (heart|heart just|heart would) (stops|stop|gives up|gives out)",
            "(pray|praying|prayed) ~ ~ ~ (takes|take) me",
            "take|takes me in my sleep",
            "(hit|run over|knocked down) by a|the (car|bus|train|lorry|truck) ~ ~ ~ ~ ~ (relieved|glad|happy|would not care|would not mind|be fine|a relief)",
            "point in|of (me being alive|being alive|me living|me being here|me existing)",
            "disappear for good",
            "(cope|manage|do|get on|be) better without me",
            "if @me (died|die|be dead|be gone|be not here|be not around) ~ ~ ~ (she|he|they|everyone|everybody|mum|dad|kids|family) would",
            "if @me ~ ~ (slip|slipped|slipping|faded|fade|drift|drifted) away",
            "@pills ~ ~ ~ ~ ~ ~ ~ (calling me|calling to me|calling my name)",
            "(stash|stockpile|hoard|supply|collection) ~ ~ of? ~ @pills",
            "wrote|written|write|left|leave ~ (a note|notes|letters|a letter) ~ ~ ~ (tonight|to my|for my|for everyone|to everyone|goodbye)",
            "how easy ~ ~ ~ ~ to ~ ~ (walk in|walk into|jump|step off|step out|drive off|drive into|end it|let go|fall|go under)",
            "(should|might as well|may as well) ~ just? (disappear|die|end it|be dead|not be here|kill myself)",
            "(message|text|note|letter|voicemail|texted|messaged) ~ ~ ~ (saying|said|say) goodbye",
            "go to sleep and @not wake up",
            "sleep and never wake up",
            "disappear forever",
            "@not be here (tomorrow|next week|for christmas)",
            "will not be here ~ (tomorrow|much longer)",
            "(nobody|no one) would miss me",
            "wish|wishing|hope|hoping|pray|praying ~ ~ ~ (get|got|be|were|was) (hit|run over|knocked down|killed) by",
            "how many ~ ~ ~ (would|will|does|to) (kill|end) me",
            "#num ~ ~ @pills ~ ~ (enough|lethal|fatal) ~ ~ ~ (asking for me|for me|to die|to do it|to end it|to kill me)",
            "(i be|i be sat|i be sitting|i be stood|i be standing) at beachy head",
            "(so done|had enough|can not do this|done with it all) ~ ~ ~ ~ ~ ~ top (floor|level|deck|storey)",
            "(belt|rope|cord|scarf|tie|ligature|cable|dressing gown cord) ~ ~ (round|around) ~ ~ (door handle|banister|"
            "beam|neck|my neck|hook|pipe|loft hatch|bannister)",
            "how (high|far|tall) ~ ~ ~ (bridge|car park|building|cliff|multistorey|multi storey|drop|fall|jump) ~ ~ ~ "
            "(need|needs|kill|die|survive|fatal)",
            "(do not think|not think|do not expect|not expect) ~ ~ (be around|be here|make it|be alive) (for|to|till|until|by) "
            "(my|christmas|new year|next christmas|much longer|the weekend|your|his|her|long)",
            "(do not expect|not expect) to (be here|be around|be alive|last) ~ ~ (longer|much longer)",
            "if @me (be not|was not|were not) (here|around|alive) ~ ~ ~ ~ ~ ~ ~ (would|will) ~ ~ ~ (better|happier|together|"
            "fine|easier)",
            "(will not|would not) (stay behind|be far behind|be long after|last long after)",
            "(lie|lay|lying) down ~ ~ ~ ~ ~ and (not|never) (get up|wake up|get back up) (again|ever again)",
            "(thinking about|think about|going to|want to|will|try to|plan to) (do|doing) it properly this time",
            "(decided|planning|plan|going) to (do it|go through with it|end it) (while|before|when|soon|tonight|this)",
            "@they ~ ~ ~ (want|wanted|wants) me to have (it|them|his|her|their)",
            "(googling|googled|searching|searched|looked up|looking up) how (long|many|much|high|far) ~ ~ ~ ~ (die|drown|"
            "overdose|kill|bleed|hang|lethal|fatal)",
            "(intend|mean|plan|planning|intending) to (be with|join) (him|her|them) ~ ~ (by|before|soon|on|again)",
            "(take|swallow|inject|have) (my|all my|all of my|the|all the|all) @pills (all at once|at once|in one go|"
            "all together|together)",
            "(put|laid|lined|counted|tipped|emptied) ~ ~ @pills ~ ~ ~ ~ (bowl|table|pile|row|line|jar|in front of me|out)",
            "(looking at|looked at|searching|googling|ordered|ordering|bought|buying) ~ ~ (noose|ligature|ligatures)",
            "(looking at|looked at|searching|googling) ~ rope ~ ~ (amazon|online|ebay|the internet)",
            "(planning|plan|planned|worked out|decided) how (i would|i will|i am going to|i =d) (do it|end it|kill myself)",
            "(planning|plan|planned|worked out|know|knows|decided) exactly how (i would|i will|to|i am going to|i =d) (do it|end it)",
            "(thought|thinking|think|thinks|want|wants|going|plan|planning|tempted) (about|of|to) (taking|take|kill|killing|"
            "end|ending) (us both|both of us|the two of us|us all|all of us|the kids with me|the children with me)",
            "(sat|sitting|standing|stood) ~ (at|on) the (top|edge) of (the|a) (multi storey|car park|tower|building|flyover|"
            "viaduct|cliff|bridge|quarry|block)",
            "if @me (crashed|crash|died|die|did not wake up|got hit|was hit|was gone|were gone|disappeared|drove off|fell|"
            "crashed the car|stepped out) ~ ~ ~ ~ ~ ~ ~ (would not be the worst thing|would not be such a bad thing|"
            "would not be so bad|would be a relief|would not be a bad thing|be for the best)",
            "want|wanna to? not (exist|be here|be alive|wake up|be around) ~ @anymore?",
            "better ~ ~ @me ~ ~ not (here|alive|around) ~ @anymore?",
            "ask|asking|asked|beg|begging|begged ~ (the lord|god|jesus|him) to take me",
            "had enough ~ ~ ~ (i mean it|mean it)",
            "(message|msg|text|txt|note|post|snap) ~ ~ (saying|sayin|said|says) (bye|goodbye) ~ ~ (and|n) (thanks|thank)",
            "@they ~ ~ ~ (said|says|screamed|shouted|threatened|texted|told me) ~ (he|she|they) (would|will|is going to|"
            "was going to|be going to) (hang|kill|stab|drown|shoot|hurt) (himself|herself|themselves)",
            "@they ~ ~ ~ (giving|given|gave|give) away (her|his|their) (things|stuff|belongings|possessions|rings|"
            "jewellery|jewelry|medals|watch|tools|clothes)",
            "(nobody|no one) would|will (care|notice|even notice) if @me (die|died|be dead|be gone|disappear)",
            "(nobody|no one) would|will ~ ~ (care|notice|miss me) if @me (be not here|be not around|be gone|vanish|disappear)",
            "do not care if @me live or die",
            "@they ~ want|wants|say|says|talk|talking|threaten|threatening|keep ~ to? kill @them",
            "@they ~ want|wants|say|says|talk|talking|threaten|threatening|keep ~ to? end|take their|his|her own? life",
            "@they ~ want|wants|wanting to die",
            "@they ~ be suicidal",
            "@they ~ ~ ~ plan|plans|planning|planned to (end|take) (his|her|their) own? life",
            "(shall|will|want to|going to|ready to|longing to) (join|be with) (him|her|them) ~ ~ (before|soon|again|in heaven|by)",
            "@they ~ try|tried|attempt|attempted to kill @them",
            "@they ~ be going to kill|hang @them",
            # warning signs: a goodbye and then silence, a last day decided, a plan told to someone
            "(sorry for everything|been real|love you all|look after mum|look after dad|look after the kids) ~ ~ ~ ~ ~ ~ ~ ~ "
            "(not answering|not picking up|not replying|not responding|phone off|phone be off|gone offline|went quiet)",
            "goodbye|goodbyes|farewell|bye ~ ~ ~ ~ ~ ~ ~ ~ (not answering|not picking up|not replying|not responding|"
            "not answer|not pick up|not reply|can not reach|can not get hold|phone off|phone be off)",
            "(not answering|not picking up|not replying|not responding|phone off|phone be off) ~ ~ ~ ~ ~ ~ ~ ~ "
            "goodbye|goodbyes|farewell",
            "(posted|sent|texted|messaged|wrote) ~ ~ (goodbye|farewell) (on|to|in) (snap|snapchat|insta|instagram|"
            "facebook|tiktok|whatsapp|the group|the group chat|the family chat|everyone|all of us|us all)",
            "decide|decided ~ ~ ~ ~ ~ (be|is) my last (day|night|week|christmas|birthday)",
            "(today|tonight|tomorrow|sunday|monday|tuesday|wednesday|thursday|friday|saturday|this) ~ (be|is) my last "
            "(day|night) ~ ~ ~ (on earth|alive|here|anyone|somebody|someone|know)",
            "(on|at) the (edge|top) of (the|a) (bridge|cliff|cliffs|multi storey|car park|roof|tower|building|"
            "viaduct|flyover) ~ (now|right now|rn|tonight|at the moment)",
            "(i be|i be standing|i be sitting|i be stood|i be sat) (on|at) (the|a) (bridge|edge|ledge|cliff|cliffs|"
            "roof|railway|tracks|viaduct|flyover) (now|right now|rn|tonight)",
            "(i be|i be standing|i be sitting|i be stood|i be sat) (on|at) the edge of the",
            "stood|standing|sat|sitting ~ ~ ~ edge ~ ~ (for a long time|for ages|for an hour|thinking)",
            "(look|looking|looked|stare|staring|stared) (at|down at|up at) the (beam|beams|rope|loft hatch|banister|"
            "tracks|railway line|drop) ~ ~ ~ (more than|too much|a lot|every|again|lately|and think|and thinking)",
            "(think|thinking|thought) about ~ (letting go|stepping off|not coming back|driving off the)",
            "(thanking|thanked|thank) (us|me|everyone|everybody|all|the family) ~ ~ for everything ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ (not answering|not picking up|"
            "not replying|not responding|phone off|phone be off)",
        ],
    ),
    # --- self-harm ------------------------------------------------------------------------------
    (
        "self_harm",
        "self_harm",
        "urgent",
        [
            "selfharm",
            "cut|cutting|burn|burning|scratch|hurt|harm|hit|punch|stab|bite @self",
            "cut|cutting|burn|burning|burnt|burned|scratch|scratching|scratched|carve|carving my @body",
            "@me ~ ~ cut|cutting|burned|burnt|burning|harmed|hurt (again|deeper)",
            "razor|razors|blade|blades|lighter ~ ~ ~ again|out",
            "want|need|urge|urges to cut|burn ~ ~ badly|bad|again|now|tonight",
            "cuts|scars|blood on my @body",
            "harm|hurt @them",
            "@they ~ be|have|keep|start|started cutting|selfharming",
            "@they ~ cut|cuts @them",
            "(her|his|their|my) (arm|arms|leg|legs|wrist|wrists|thigh|thighs|stomach) ~ ~ (covered in|full of|cut|cuts) ~ (cuts|scratches|scars|burns)?",
            "blade|razor|razors ~ ~ my? @body|myself",
            "want to hurt|harm @self",
            "hit|hitting|punch|punching|bang|banging|starve|starving|scratch|scratching my? @body|myself",
            "bang|banging|hit|hitting|smash|smashing ~ ~ head against|on ~ ~ wall|walls|floor|door",
            "clean ~ ~ ~ ~ ~ ~ ~ (relapse|relapsed|did it again|cut again|cutting again)",
            "relapse|relapsed ~ ~ ~ ~ ~ selfharm|cut|cutting|harm",
            "months|weeks|days|year|years ~ ~ ~ selfharm|clean|free ~ ~ ~ ~ ~ ~ (did it again|relapsed|cut again|done it again)",
            "urge|urges to hurt|harm|cut",
        ],
    ),
    # --- medical emergency, including someone else's -------------------------------------------
    (
        "cannot_get_up",
        "medical_emergency",
        "urgent",
        [
            "fall|fell|trip|slip ~ ~ ~ ~ (can not|unable to|could not) ~ get|move|stand",
            "fall|fell|trip|slip ~ ~ ~ ~ not able to get|move|stand",
            "on the floor ~ ~ ~ can not get|move",
            "can not get (up|off) ~ ~ floor",
            "be on the floor since|for|all ~ night|hours|morning",
            "lying on the floor ~ ~ hour|hours|night",
            "stuck on the floor",
            "floor ~ ~ ~ ~ ~ ~ ~ can not|unable ~ get|move|stand",
            "can not ~ get ~ ~ up ~ ~ ~ floor",
            "(slip|slipped|trip|tripped|fall|fell|fallen) ~ ~ ~ ~ ~ ~ ~ ~ can not ~ ~ (get|move|stand)",
            "fall|fell|fallen down the stairs",
            "bleeding from|out ~ ~ head|mouth|ears",
            "fell|fall|fallen|collapsed and ~ hurt|hit|banged|bleeding ~ head",
        ],
    ),
    (
        "heart_breathing",
        "medical_emergency",
        "urgent",
        [
            "chest pain|pains|tightness",
            "pain|pains in|across my|his|her chest",
            "chest ~ hurt|hurts|hurting|tight|crushing|heavy",
            "chest ~ ~ ~ ~ sitting|crushing|squeezing|squeezed|pressure|tight|heavy",
            "left arm ~ ~ numb|tingling|aching|hurts|heavy",
            "face ~ ~ ~ droopy|drooping|droop|dropped|lopsided",
            "slur|slurred|slurring ~ speech|words|her|his",
            "=having|=has ~ ~ heart attack",
            "think|thinks|may|might|could ~ ~ ~ ~ heart attack",
            "heart attack ~ ~ (now|right now|i think|help|call)",
            "can not breathe",
            "not|stop|stopped breathing",
            "struggle|struggling|fighting to breathe",
            "can not catch my|his|her breath",
            # Happening now, not a history: "who's had a stroke" is a carer's background.
            "=having|=has a|an stroke|seizure|fit|asthma|attack",
            "just =had a|an stroke|seizure|fit|asthma|attack",
            "think|thinks|may|might|could ~ ~ (be having|have had|had) a|an stroke|seizure|heart",
            "face ~ drooping|droop",
            "collapse|collapsed",
            "unconscious|unresponsive",
            "pass|passed out",
            "@they ~ will|can|do|be not wake ~ up?",
            "can not wake ~ him|her|them|mum|dad|husband|wife|up",
            "bleeding ~ (heavily|badly|a lot|everywhere|will not stop)",
            "lot of blood",
            "choking",
            "=took|=taken|=swallowed|swallow|=taking|=had ~ ~ (lot|load|loads|all|handful|handfuls|bunch|box|boxes|packet|packets|bottle|whole|too many|extra) ~ ~ ~ ~ @pills",
            "=took|=taken|=swallowed|=taking ~ #num ~ ~ @pills",
            "=swallowed|=swallow|=eaten|=took ~ ~ some|all of? ~ my|the|his|her|nan|mum @pills",
            "=taken|=took ~ @pills twice",
            "started|start|keeps|keep|be ~ fitting|convulsing|seizing",
            "seizure ~ ~ ~ ~ ~ ~ minutes",
            "can not keep ~ ~ awake",
            "worst headache",
            "headache ~ ~ ~ ~ ~ ~ ~ ~ worst|sudden|suddenly",
            "blood ~ ~ ~ ~ (will not stop|not stopping|everywhere)",
            "=took|=taken|=swallowed an|a overdose",
            "overdose|overdosed|od",
            "need|call|get ~ an ambulance",
            "need|call|get|send|waiting ~ ~ ambulance",
            # someone found down, stroke signs, a hypo, asthma, sepsis and meningitis signs, burns
            "(lying|lay|laid|collapsed|slumped) ~ ~ ~ ~ ~ ~ ~ (not moving|not responding|will not wake|can not wake)",
            "(floor|ground|bed|chair|bath|toilet) ~ ~ ~ ~ ~ ~ (not moving|not responding|will not wake|can not wake)",
            "speech ~ ~ (gone|go|going|went) (funny|strange|weird|slurred|wrong)",
            "(can not|could not) (get|find) (my|her|his|the) words ~ out?",
            "(arm|hand|leg|side|face) ~ ~ (numb|gone numb|gone dead|gone weak|will not move|can not move|limp)"
            " ~ ~ ~ ~ ~ ~ (minutes ago|suddenly|all of a sudden|started|just now|this morning|an hour ago)",
            "(sugar|sugars|bloods|blood sugar|levels) ~ ~ ~ (#num|low|dropping|crashed|crashing|really low|very low|hypo)"
            " ~ ~ ~ ~ (shaking|sweating|confused|can not think|dizzy|no sugar|no glucose|passing out)",
            "(shaking|sweating|confused|can not think straight) ~ ~ ~ ~ ~ ~ ~ (no sugar|no glucose|hypo|sugar be low)",
            "diabetic ~ ~ ~ ~ ~ ~ (shaking|sweating|confused|can not think|passing out)",
            "asthma ~ ~ ~ ~ ~ (inhaler|pump) ~ ~ ~ (not helping|not working|does not help|no help|empty)",
            "inhaler|pump ~ ~ (not helping|not working|does not help|do nothing|doing nothing)",
            "rash ~ ~ ~ ~ ~ (not fade|does not fade|do not fade|will not fade|doesnt fade) ~ ~ ~ glass",
            "(baby|he|she|child|toddler|son|daughter|mum|dad|nan|grandad|husband|wife|partner) be? ~ (gone|going|went) "
            "all? (floppy|limp|mottled)",
            "(she|he|they|@they) be not (moving|responding|breathing properly)",
            "skin ~ ~ (coming off|peeling off|come off|blistering)",
            "(will not|won't|does not|not) stop bleeding",
            "(soaking|soaked|pouring|gushing|spurting) ~ ~ ~ (blood|through|towel|bandage)",
            "blood ~ ~ (pumping|spurting|pouring|gushing)",
            "throat|tongue|lips|face ~ ~ ~ (swelling|swollen|swelled|closing)",
            "(used|using|use|given|gave|give|needed|need) ~ ~ ~ (epipen|adrenaline)",
            "(epipen) ~ ~ ~ (out of date|not working|expired|not helping|missing|at home)",
            "(going into|having|gone into|in) ~ (anaphylaxis|anaphylactic)",
            "(grey|gray|pale|blue) and (clammy|sweaty|cold)",
            "(hit|banged|bang|knocked|bumped) ~ ~ head ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ (sick|vomiting|not making sense|"
            "confused|drowsy|sleepy|can not wake|passed out|fitting|not making any sense)",
            "(baby|child|toddler|son|daughter) ~ ~ ~ (floppy|limp|unresponsive|will not wake|blue)",
            "rash ~ ~ ~ ~ ~ ~ ~ ~ (not fade|does not fade|do not fade|will not fade|doesnt fade) ~ ~ ~ ~ ~ ~ glass",
            "(sick|vomit|vomiting|coughing|coughed) ~ ~ ~ blood",
        ],
    ),
    # --- danger from someone: urgent abuse ------------------------------------------------------
    (
        "danger_now",
        "abuse",
        "urgent",
        [
            "@person_subject ~ ~ going to kill|hurt|hit|stab|shoot me",
            "threaten|threatened|threatening ~ ~ to kill|hurt|stab|shoot me",
            "@person_subject ~ ~ have|has|got|with a knife|gun|weapon",
            "knife|gun to my throat|head",
            "scared|afraid|frightened|fear for my life",
            "scared|afraid|frightened ~ @person_subject ~ ~ kill|hurt me",
            "@person_subject be hitting|beating|strangling|attacking|hurting|choking me",
            "@person_subject ~ strangle|strangled|choke|choked me",
            "lock|locked me in|inside|out",
            "@person_subject ~ ~ outside|at ~ door|window|house ~ ~ trying|banging|shouting|threatening",
            "trying to (break in|get in)",
            "@person_subject will ~ kill|hurt|stab|shoot|strangle|hit me",
            "trying to (force|break|kick|smash) ~ ~ ~ door|window|windows",
            "block|blocking|blocked ~ ~ door|doorway",
            "will not let me (out|leave|go)",
            "@person_subject ~ ~ punching|smashing|kicking|banging|throwing ~ ~ door|doors|wall|walls|things|windows|furniture",
            "in danger",
            "@person_subject ~ ~ be hitting|beating|hurting|attacking|strangling|punching|kicking my @family",
            "@person_subject ~ ~ ~ (going to|will) ~ (kill|hurt|stab|strangle) (mum|dad|her|him|them|my @family)",
            "hitting|beating|hurting|attacking|strangling|punching|kicking (her|him|them|mum|my @family) ~ ~ ~ (right now|now|again)",
            "@person_subject ~ ~ have|has|got|with a|an (hammer|bat|machete|axe|blade|crowbar)",
            "lock|locked ~ myself|ourselves in|inside ~ ~ ~ (bathroom|room|bedroom|toilet|car|with)",
            "hiding (in|under|from) ~ ~ (room|bathroom|bedroom|wardrobe|him|her|them|bed)",
            "@person_subject ~ ~ ~ (smashing|smashed|breaking|wrecking|trashing) ~ ~ ~ (house|place|things|everything|flat|windows|doors)",
            "not safe at home",
            "@not feel safe at home|here|with|around",
            "scared|afraid to go home",
        ],
    ),
    # Someone says they are not safe without saying why: urgent, with no type of its own.
    (
        "not_safe",
        "unspecified",
        "urgent",
        [
            "@me ~ not safe",
            "do not feel safe",
            "i need help now",
            "please help me now",
        ],
    ),
    # --- abuse and coercive control (concern) ---------------------------------------------------
    (
        "abuse",
        "abuse",
        "concern",
        [
            "@person_subject ~ ~ hit|hits|hitting|beat|beats|slap|slaps|kick|kicks|punch|punches|push|pushes|shove|shoves|hurt|hurts|grab|grabs|bruise me",
            "@person_subject ~ ~ hit|hits|beat|slap|kick|punch|push|hurt me",
            "hit|hits|beat|beats|slap|kick|kicks|punch|punches me ~ when",
            "bruises from|where @person_subject",
            "scared|afraid|frightened|terrified of my @family",
            "scared|afraid|frightened to go home",
            "scared|afraid|frightened|terrified of (him|her|them) ~ ~ ~ ~ (time|all|every|when|because)",
            "@person_subject ~ ~ ~ ~ take|takes|took|taking|kept|keep|keeps|hide|hides|hid ~ ~ my (passport|phone|keys|tablets|pills|medication|card|bank card)",
            "(made|forced|forcing|make|force) ~ to marry",
            "lock|locks|locked|locking @them|him|her|them in|inside|out",
            "@person_subject ~ ~ ~ (sign|signing|signed) ~ ~ cheques|cheque|papers|will",
            "share|post|posted|shared|sharing|send|sent|spread ~ ~ ~ my|me ~ (nudes|nude|pictures|photos|pics|videos|picture|photo)",
            "(pictures|photos|pics|nudes) of me unless",
            "@person_subject ~ ~ control|controls|controlling|take|takes|took|taking|steal|steals|stole|stealing|use|uses ~ ~ my @money",
            "@person_subject ~ ~ (will not|do not|does not|never) let me ~ see|go|leave|have|talk|out|use|call|visit",
            "@not allowed to see|go|leave|have|talk|call|use",
            "@person_subject ~ ~ check|checks|read|reads|track|tracks|go|goes ~ ~ my phone|messages|texts|emails|location|post",
            "@person_subject ~ ~ take|takes|took|taking|steal|steals|stole|stealing ~ ~ @money",
            "help|helping|helps|helped himself|herself|themselves to my ~ @money",
            "@person_subject ~ ~ call|calls|calling me ~ ~ useless|stupid|worthless|names|fat|ugly",
            "@person_subject ~ ~ shout|shouts|scream|screams|swear|swears at me",
            "@person_subject ~ ~ threaten|threatens ~ me",
            "@person_subject ~ ~ make|makes|made|force|forces|forced me ~ sign|give|change|hand",
            "abuse|abused|abusing|abusive",
            "domestic violence|abuse",
            "(coercive control|controlling relationship)",
            "bully|bullied|bullying|bullies",
            "pick|picks|picking on me",
            "@person_subject ~ ~ touch|touches|touched me",
            "someone|they|he|she|carer ~ ~ take|taking|took|steal|stole|stealing ~ ~ my @money",
            "money ~ ~ keep go|going missing",
            *TOLD_BY_OTHERS,
            "call|calls|calling me names",
            "(group chat|group chats|page|account|posts) ~ about me",
            "(pics|pictures|photos|videos) of me ~ ~ ~ (horrible|nasty|mean|captions|laughing|everyone|round)",
            "leave|leaving|left|leaves me out ~ ~ ~ ~ on purpose",
            "@person_subject ~ ~ (tells|told|telling|says|keeps saying) (me|i) ~ ~ (stupid|useless|worthless|ugly|fat|mad|crazy|nothing|thick)",
            "(keeps|keep|kept) (turning up|showing up|following me|messaging me|texting me|ringing me|calling me) ~ ~ ~ ~ "
            "(work|house|flat|door|numbers|number|everywhere|outside)",
            "(picks|chooses|decides|controls|tells me) what (i|she|he) (wear|wears)",
            "(picks|chooses|decides|controls) who (i|she|he) (see|sees|talk|talks)",
            "(comments|remarks) about my body",
            "lets|let himself|herself in without asking|knocking",
            # threats that hang on a condition, control through status or housing, intrusion
            "@person_subject ~ ~ ~ (says|said|told me|tells me|threatens|threatened) ~ if (i|we) ~ ~ ~ ~ ~ (kill|hurt|"
            "report|deport|deported|cancel|throw|kick|tell|take|leave|share|post|send)",
            "(report|reported) (me|us) to the (home office|police|council|social)",
            "(cancel|take away|report) ~ ~ (sponsorship|visa|passport|papers)",
            "(deport|deported|deporting) ~ ~ ~ if",
            "(coming|comes|came|walks|walking|walked|keeps coming|barges) (in|into) ~ ~ (room|bedroom|bathroom|shower) "
            "~ ~ ~ (when|while|at night|without)",
            "found out where (i|we|she|he) (live|lives|living|am|are|is staying)",
            "@person_subject ~ ~ ~ (waiting|parked|sat|sitting|standing) ~ ~ ~ ~ ~ (with a|hammer|knife|bat|outside my|by my "
            "car|at my work)",
            "(says|said|tells me) (i|we) owe (him|her|them)",
            "(pinches|pinched|pinching|slapped|slaps|nips|twists my arm) ~ me?",
            "@person_subject ~ (pinches|pinched|pinch|nip|nips) me",
            "(filming|filmed|film|recording|recorded) ~ ~ ~ ~ (sending|sent|posting|posted|sharing|shared) ~ ~ (round|around|"
            "everyone|online)",
            "head down the toilet",
            "(taken|took|take|taking) over? my (bedroom|room|house|flat|home|bed)",
            "(sent|send|given|gave|transferred|wired) ~ ~ ~ (thousand|pounds|hundred|£) ~ ~ ~ ~ ~ ~ (needs|wants|asking for|"
            "asks for) more",
        ],
    ),
    # --- self-neglect ---------------------------------------------------------------------------
    (
        "not_eating",
        "self_neglect",
        "concern",
        [
            "have @not eat|eaten ~ ~ ~ day|days|week|properly|anything|since",
            "@not eat|eating ~ ~ day|days|properly|anything|much|for",
            "@not eaten|had ~ ~ food|meal|meals ~ ~ days?",
            "stop|stopped eating",
            "@not had ~ ~ ~ to eat",
            "nothing to eat since",
            "@not ~ ~ eat|eaten|had ~ ~ ~ since|for ~ day|days|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|week",
            "not eating",
            "@not ~ ~ (eating|washing|showering) ~ ~ (or|and) ~ (eating|washing|showering|getting up|getting dressed)",
            "no food in|at the house|home|flat|cupboards|fridge",
            "nothing to eat",
            "can not afford ~ ~ food|eat|meals|meal",
            "skip|skipping meals",
            "can not be bothered to eat|cook|wash|get",
            "forgot|forget|forgetting to eat",
        ],
    ),
    (
        "no_medication",
        "self_neglect",
        "concern",
        [
            "run|ran|running out of ~ ~ @pills",
            "out of my? @pills",
            "no @pills left",
            "stop|stopped taking my? @pills",
            "@not take|taking|taken my @pills",
            "can not get|collect my? @pills|prescription",
            "can not afford my? prescription|@pills",
        ],
    ),
    (
        "missed_appointments",
        "self_neglect",
        "concern",
        [
            "miss|missed|missing ~ ~ hospital|doctor|doctors|gp|clinic|medical|eye|dialysis|chemo|cancer|heart|diabetes ~ appointment|appointments",
            "miss|missed|missing ~ ~ ~ appointment|appointments ~ ~ ~ ~ lift|transport|bus|taxi|drive|driving|way",
            "miss|missed|missing ~ ~ dialysis|chemo|checkup|check-up",
            "can not get to ~ ~ ~ appointment|appointments|hospital|doctor|doctors|gp|surgery|clinic",
            "no way to get to ~ ~ appointment|hospital|doctor|gp",
        ],
    ),
    (
        "not_coping_home",
        "self_neglect",
        "concern",
        [
            "have @not wash|washed|bath|bathed|showered ~ ~ ~ week|weeks|day|days|month",
            "@not ~ washing|bathing|showering|washed|bathed|showered",
            "@not ~ (changed|changing) ~ ~ clothes",
            "can not look after myself",
            "@not looking after myself",
            "house|home|flat be ~ ~ filthy|tip|state|pigsty",
            "@not got out of bed ~ ~ days|week",
            "stay|stayed in bed ~ ~ days|all week",
        ],
    ),
    # --- cold home ------------------------------------------------------------------------------
    (
        "cold_home",
        "cold_home",
        "concern",
        [
            "no heating|heat|gas|electric|electricity",
            "heating|boiler|heater ~ ~ (break|broke|broken|not working|off|packed up|gone|stopped working|died)",
            "can not afford ~ ~ to? heat|heating|gas|electric|electricity|energy|fuel|bills",
            "(can not|do not|dare not) ~ (put|turn|have) ~ ~ heating|heater|fire|radiator|radiators on",
            "be afraid|scared to put|turn the heating on",
            "house|home|flat|room|bedroom|place|indoors ~ be? ~ (freezing|so cold|very cold|cold|icy|like a fridge)",
            "(freezing|so cold|very cold) in|at my|the ~ house|home|flat|room|bedroom",
            "freezing|cold at home|indoors|inside",
            "sit|sitting|stay|staying ~ in the cold|dark",
            "wear|wearing ~ my? coat|coats|hat|gloves (indoors|inside|in the house|in bed)",
            "go|going to bed to keep warm",
            "cold home",
            "it be (freezing|so cold|bitter) in here",
            "only put|have ~ heating on for ~ ~ hour|hours|minute|minutes",
            "damp and cold",
            "mould|mold",
            "meter ~ ~ (run out|ran out|empty)",
            "no money for the meter|gas|electric",
        ],
    ),
    # --- carer strain: needs a caring context elsewhere in the message --------------------------
    (
        "carer_strain",
        "carer_strain",
        "concern",
        [
            "can not cope|manage ~ ~ @anymore?",
            "breaking point",
            "end of my tether",
            "(exhausted|burnt out|burned out|worn out|shattered|drained)",
            "running on empty",
            "too much for me",
            "at the end of my rope",
            "@not get|had|have a break",
            "(no break|no time for myself|no life of my own)",
            "never get a break|minute|moment",
            "going to (snap|lose it)",
            "resent|resentful",
            "can not do this ~ @anymore",
            "can not (go on|carry on) like this",
            "can not keep (caring|doing this|going|looking after|coping|up) ~ ~ like this?",
            "can not keep this up",
            "can not continue|cope|manage ~ ~ (much longer|any longer|anymore|any more|like this)",
            "can not leave (him|her|them|mum|dad) ~ ~ ~ ~ (go out|get out|alone|on (his|her|their) own)",
            "(lost myself|lost who i am|do not recognise myself|no life of my own|no time for me|no time for myself)",
            "(just|only) to get through ~ ~ (day|days|evenings|evening|night|nights|week)",
            "crying|cry|cried ~ ~ ~ ~ (every day|all the time|in the car|every night)",
            "@not (slept|sleeping) ~ (properly|well|for)",
            "@not had a full night",
            "(my own health|my health) ~ ~ ~ (failing|suffering|going downhill|getting worse)",
            "can not take ~ ~ @anymore",
            "falling apart",
            "at my wits end",
            "carer|carers burnout",
            # carers' own words for strain (only in a caring context)
            "(dread|dreading|resenting|resentment|hate myself for)",
            "grieving ~ ~ ~ (still here|still alive|in front of me)",
            "(not a person|no longer a person) ~ ~ ~",
            "worn (to the bone|down|thin|to a frazzle)",
            "(before i break|before i snap|about to break|close to breaking|at the end of my)",
            "(cried|sobbed|broke down) ~ ~ ~ ~ (car park|car|kitchen|bathroom|shower|supermarket|morrisons|tesco|"
            "asda|aldi|lidl|in front of)",
            "(done asking|given up asking|nobody helps|no one helps|nobody to hand over to|no one to hand over to|"
            "nobody to help|no help at all|no help from anyone)",
            "(one week off|one day off|only break) ~ ~ ~ ~ ~ (cancelled|gone|got cancelled|taken away)",
            "(lost|losing|given up|gave up) ~ ~ (my job|my friends|my life|uni|work|my career|everything) ~ ~ ~ (to look after|"
            "to care|for him|for her|caring)",
            "(no sleep|barely sleep|hardly sleep|never sleep|not slept|fall asleep at|falling asleep at)",
            "(used all my|no more) (annual leave|holiday|leave)",
            "(written warning|lose my job|lose this job|losing my job) ~ ~ ~ ~",
        ],
    ),
]

# A caring context: a carer_strain cue counts only when one of these is in the same message, and
# then the ambiguous "can't go on"/"can't do this any more" cues mean strain, not suicide.
CARING_CONTEXT: list[str] = [
    "carer|carers|caring|caregiver",
    "care for|of @family|my|him|her",
    "look|looking|looked after|for @family|my|him|her",
    "@family ~ ~ dementia|alzheimer|alzheimers|parkinsons|stroke|ms",
    "dementia|alzheimers",
    "my son|daughter ~ ~ autism|autistic|disabled|disability",
    "@family ~ ~ ~ ~ ~ ~ dementia|alzheimer|alzheimers|parkinson|parkinsons|stroke|disabilities|disability|disabled|autism|"
    "autistic|huntington|huntingtons|cancer|schizophrenia|illness|condition|needs|ms|mnd",
    "full time carer|care|caring",
    "@family ~ ~ needs|need ~ help|care|looking ~ ~ everything|washing|dressing|toilet|feeding",
    "(on my own with|sole carer|only one who|all on me)",
    "wakes|wake|woke me ~ ~ (every|all|through) ~ night",
    "(parkinsons|parkinson|huntingtons|huntington|mnd|motor neurone)",
    "respite|respites",
    "look|looking|looked after both|all ~ ~ ~",
    "(wash|washing|washed|feed|feeding|fed|dress|dressing|lift|lifting|toilet|toileting|change|changing|bath|bathing) "
    "(her|him|them|mum|dad|my)",
    "(her|his) (voice|buzzer|bell) ~ ~ (monitor|again|every)",
    "(buzzer|monitor) ~ ~ ~ ~ (goes|went|again|times)",
    "(sitting service|carer s allowance|carers allowance|carers assessment|carer s assessment|attendance allowance)",
]

# Cues whose meaning turns on context: within a caring context they mean carer strain.
AMBIGUOUS_DISTRESS: frozenset[str] = frozenset(
    {
        "can not (go on|carry on) ~ @anymore",
        "can not (go on|carry on)",
        "can not do this ~ @anymore",
        "can not take this|it ~ @anymore",
        "can not cope ~ @anymore",
    }
)

# Figures of speech: a cue that overlaps one of these is not a cue.
IDIOMS: list[str] = [
    "heat|feet|back|knees|knee|legs|hip|hips|head|neck|suspense|wait|waiting|commute|weather|"
    "cold|this|that|it|job|work|kids|prices|bills|traffic|hayfever|cough|shoes|boots|tooth|teeth ~ ~ kill|killing me",
    "kill|killing ~ me when|if ~ ~ find|finds|see|sees|hear|hears|know|knows|notice|notices",
    "kill|killing ~ me for",
    "kill|murder for a|an|some",
    "could|would|'d kill|murder a|an|some",
    "=d kill|murder a|an|some|for",
    "kill|killing time",
    "killing it",
    "die|dying|dead for a|an|some",
    "dying to (get|go|see|meet|know|try|hear|tell|have|find|read|watch|visit|start|show|open|taste|eat|do)",
    "to die for",
    "so|too ~ ~ ~ @me could (die|scream|cry|burst|explode)",
    "could have|'ve died",
    "die|died|dying of|from embarrassment|laughter|laughing|boredom|shame|cringe",
    "die|died|dying laughing",
    "nearly|almost die|died ~ laughing",
    "bore|bored|scare|scared|worry|worried|freeze|frozen|frightened|tickled to death",
    "fell|fall|falling|fallen asleep",
    "fell|fall|falling|fallen (in love|out|behind|for|through|apart|pregnant)",
    "fell out with",
    "phone|battery|laptop|car|plant|plants|flowers|tv|telly|computer|tablet|ipad|charger|torch|"
    "radio|bulb|conversation|party ~ ~ die|died|dead|dying",
    "dead (tired|on my feet|bored|easy|good|funny|quiet)",
    "drop dead gorgeous",
    "give|gave|giving ~ ~ a heart attack",
    "nearly|almost ~ had a heart attack",
    "can not breathe for|from laughing",
    "(haha|lol|lmao|hahaha|lmfao) ~ ~ ~ ~ ~ ~ ~ kill|killing|kills|murder me",
    "kill|murder me ~ ~ ~ ~ ~ ~ ~ (haha|lol|lmao|hahaha|lmfao)",
    "kill me now",
    "be the death of",
    # caring for someone's medicines: "I go round and do her tablets and meals"
    "do|sort|sorts|give|gives|collect|collects|order|orders|manage|manages her|his|their tablets|pills|medication|meds",
    # who goes first in a long marriage, said with a smile: "it's bad manners to die first"
    "manners|rude|cheek|cheeky|selfish|unfair|ungrateful ~ to die|go first",
    "whoever|who die|dies|died|go|goes|went first",
    # "mum will kill me if I'm late again": a mundane slip, not a threat ("if I leave him" stays one)
    "kill|murder me if|when ~ ~ ~ late|forget|forgot|lose|lost|break|broke|spill|spilt|miss|eat|ate|crash|scratch|"
    "dent|fail|burn|spend|spent|wear|scratched|dented|crashed",
    "wring ~ ~ neck|necks",
    "hopeless|useless|rubbish|terrible|awful at|with",
    "(because|cos) i am hopeless|useless",
    "end of my rope|tether",
    "hit|hits me ~ that|how",
    "it hit me",
    "what hit me",
    "freezing|cold|icy (outside|out there|out|today|this morning)",
    "weather be freezing",
    "beat|beats|beating me at|to",
    "fight|fighting for breath ~ laughing",
    "having a fit|fits ~ (laughing|of giggles|giggles)",
    "choking ~ on my? tea|laughter|food|coffee",
    "choking|choked with|from laughter|laughing",
    "@not eating|eat meat|dairy|sugar|bread|carbs|gluten|sweets|junk|chocolate|fish|pork|cake",
    "bullet journal",
    "shoot me a message|text|email",
    "fire me",
    "heart of gold",
    "fix ~ heating|boiler ~ tomorrow",
    "hurt|hurts my feelings",
    "heartbroken",
    "game|games|film|show|match ~ ~ killing|killing me",
    "selfharm awareness|training|course",
    "suicide prevention|awareness|squad|training|course|charity",
    "mental health first aid",
    # a last day at work, a leaving do, a farewell party: ordinary goodbyes
    "last day|night|shift at|in|of work|the|my|school|college|uni|office|shop|job|holiday",
    "(let|letting|lets) go of",
    "die|dying|died ~ ~ (hardcore|survival|creative|story|ranked|easy|hard) mode",
    "grab rail|rails|bar|bars|handle|handles",
    "(shattered|exhausted|tired|knackered|exhausting|hard work|hard going) but (coping|managing|fine|okay|ok|happy|"
    "getting there|getting by|i would not change it|worth it|rewarding)",
    "if i had a pound for every",
    "tablet|tablets|ipad (screen|case|charger|keyboard|app|apps)",
    "(one more|another) (time|minute|word|song|meeting|advert) ~ ~ ~ ~ (shoot|kill|hang|top|throw|stab) myself",
    "(lost|losing|lose|loss of) ~ ~ ~ to suicide",
    "(bereaved|bereavement|bereavements) by|after|through suicide",
    "suicide (rate|rates|statistics|figures|numbers|bereavement|bereaved)",
    "(programme|documentary|article|film|show|podcast|book|news|talk|series|episode|drama|play) ~ ~ ~ ~ ~ (suicide|"
    "selfharm)",
    "(boss|manager|teacher|coach|mum|mom|nan|gran|sister|mother|wife) ~ ~ (going to|gonna|will|would|is going to) "
    "(kill|murder) me",
    "rather (die|be dead) than",
    "die|died|dying ~ ~ (times|time) ~ ~ ~ (boss|level|game|round|match|map|raid)",
    "die|died|dying (on|in) (that|the|this) (boss|level|game|round|map|raid|match)",
    "die happy",
    "fake|faked|faking ~ ~ ~ death",
    "cut|cutting (people|someone|somebody|him|her|them) out",
    "cut off",
    "overdose|overdosed|overdosing on|of (chocolate|cake|sugar|caffeine|coffee|telly|christmas|netflix|tv|adverts|"
    "sweets|carbs|sunshine|football|news|cheese)",
    "not moving (house|in|out|away|to|back|abroad|home|on|forward|much|around|far)",
    "goodbye|farewell|leaving ~ (party|do|card|drinks|lunch|present|gift|speech|collection|tour)",
    "say|said|saying goodbye to ~ ~ (house|flat|garden|dog|cat|car|job|colleagues|team|class)",
]

# Accidents in the kitchen and garden: idioms, unless the message says it was done on purpose.
ACCIDENTS: list[str] = [
    "cut|cutting myself ~ ~ (shaving|cooking|chopping|peeling|on the|on a|on my|with the|with a|by accident|"
    "accidentally|slicing|gardening)",
    "cut|cutting my finger|hand|thumb|chin|leg",
    "=burnt|=burned myself ~ ~ (cooking|on the|on a|on my|with the|with a|ironing|making)",
    "=burnt|=burned|=scalded|=cut my (hand|finger|fingers|thumb|arm|leg|foot|knee|lip) ~ ~ ~ ~ (on the|on a|on my|"
    "with the|with a|while|cooking|chopping|gardening|shaving|ironing)",
    "stab|stabbed|stabbing myself ~ ~ ~ ~ (with a|with the|with my) (fork|pencil|pen|needle|pin|compass|skewer)",
    "paper cut",
]
DELIBERATE: list[str] = [
    "on purpose|deliberately|intentionally|purposely|purposefully",
    "(to|so @me could|so @me can) ~ (feel|cope|punish|calm|hurt|numb|release)",
    "=did it again|relapse|relapsed|urge|urges",
]

# A cue preceded (within a few words) by one of these is hypothetical, not a report.
HYPOTHETICAL: list[str] = [
    "what if",
    "what should|would|do|can|could ~ ~ do if|when",
    "how do|can|should ~ (help|support|talk to)",
    "how would ~ know",
    "in case",
    "if ever",
    "if i ever|if ever i",
    "how do|can|would you|i|we know if|whether",
    "asking for (my|a) ~ (dad|mum|friend|neighbour|son|daughter|husband|wife|mate)",
    "imagine",
    "suppose|supposing",
    "what happens if|when",
    "if @they|you|someone|somebody|anyone|people|a|an",
    "even if",
    "if my @family|friend",
    "when i die",
    "after i die",
    "after i'm gone",
    "writing|write|read|reading|watch|watched|watching ~ ~ about",
    "film|movie|book|novel|show|series|episode|documentary|programme|song|character|news|article|story|play ~ ~ "
    "about|where|called|featuring",
    "leaflet|leaflets|poster|posters|information|info|course|training|resources|lesson|essay|assignment ~ ~ about|on|for",
    "ask|asked|asks ~ ~ if|whether",
]

# Words that cancel a cue they come just before, unless followed by "sure"/"certain".
NEGATIONS: frozenset[str] = frozenset({"not", "never", "no"})
NEGATION_EXCEPTIONS: frozenset[str] = frozenset({"sure", "certain", "know", "think", "matter", "stop", "help"})

# Someone saying they are NOT at risk: the meaning-based layer must not read risk into it.
DENIALS: list[str] = [
    "@not ~ ~ (suicidal|depressed|in danger|in any danger|being hurt|being abused|being harmed|at risk)",
    "@not ~ going to (hurt myself|harm myself|do anything silly|do anything stupid|kill myself)",
    "(nobody|no one) ~ ~ (hurting|hurts|abusing|harming) me",
    "(managing|coping|doing|getting on) (fine|ok|okay|well|alright|all right)",
    "@not ~ ~ (lonely|isolated) ~ ~ all?",
]

# Past and resolved: a cue in a sentence with a past marker AND a resolution marker is history.
PAST_MARKERS: list[str] = [
    "last year|month|week|winter|summer|time",
    "year|years|month|months|week|weeks ago",
    "a while ago",
    "when @me be|was (caring|looking after|nursing|in a dark place|in a bad place|young|younger|a teenager|a teen|in my teens|in my twenties|little|a child|at school|a kid|"
    "at uni|at college|a student)",
    # "when I was seventeen", "when I was 17": an age in the past
    "when @me be|was #num",
    "as a teenager|teen|student|child|kid",
    "used to",
    "in the past",
    "back then",
    "during|in ~ (lockdown|covid|the pandemic)",
    "in #num",
    "(at the time|in those days)",
]
# Words that put what follows them in the present, after a story about the past.
NOW_WORDS: frozenset[str] = frozenset(
    {"tonight", "today", "now", "again", "lately", "currently", "recently", "anymore", "rn", "tonite", "suddenly"}
)
# Words that bring a habit of the past back into the present ("I used to cut ... I've started again").
AGAIN_WORDS: frozenset[str] = frozenset({"again", "tonight", "lately", "recently", "relapsed", "relapse"})
RESOLVED_MARKERS: list[str] = [
    "but ~ ~ ~ (fine|ok|okay|alright|better|good|recovered|sorted|fixed|safe|clean|over it|right as rain)",
    "(been fixed|been sorted|been repaired|long behind me|water under the bridge)",
    "(fine now|ok now|okay now|better now|safe now|sorted now|fixed now|all good|all fine)",
    "@not anymore",
    "@not any more",
    "not now",
    "since then",
    "have been clean",
    "recovered",
    "(i am|i feel|i have been|we are|he is|she is) ~ (fine|ok|okay|alright|good|happy|happier|well|much better|in a good place)",
    "back (on|to|at) ~ ~ (golf|work|normal|feet|his feet|her feet|school|course|course now)",
    "years on",
    "fit as a fiddle",
    "(i am|we are|he is|she is|they are) doing (really|very|so|pretty|quite) well",
    "(have not|not) (done it|selfharmed|cut|harmed myself|hurt myself|felt like that) (in|for) ~ (years|months|ages|"
    "a long time|a while)",
    "(refunded|reimbursed|got it back|got my money back|paid me back)",
    "(got engaged|got married|had a baby|got a job|new job|graduated|so happy now|happier now|never been happier)",
    "in a ~ (good|better|great|happy|much better) place",
    "in a ~ ~ different place",
    "(turned out|worked out) ~ (alright|all right|ok|okay|fine|well|good)",
    "(i am|i have been|i feel) ~ well now",
    "got ~ ~ help ~ ~ ~ ~ (and|now) ~ ~ (fine|ok|okay|alright|well|better|good)",
    "(doing|going) (well|great|really well|brilliantly) now",
]

# Loneliness and isolation.
LONELINESS: list[str] = [
    "lonely|loneliness|lonesome|isolated|isolation|isolating",
    "feel|feeling|felt|so|very|all|completely|totally|always ~ alone",
    "on my own ~ ~ (all the time|every day|all day|day after day|most days|constantly)",
    "(no one|nobody|anyone|anybody) to talk|chat|speak|turn",
    "@not have|got ~ anyone|anybody|friends|friend",
    "have|got (no one|nobody|no friends)",
    "(nobody|no one) ~ visit|visits|call|calls|ring|rings|cares|comes|bothers|phones|talk|talks",
    "@not speak|spoke|spoken|talk|talked|seen ~ ~ anyone|anybody|soul|person ~ ~ ~ day|days|week|weeks",
    "@not see|seen ~ anyone|anybody|soul",
    "@not speak|spoke|spoken|talk|talked ~ ~ (another|other|an|any) adult|adults|grownup|grown-up",
    "no friends|company",
    "miss|missing having? company|people|talking|conversation|chatting",
    "only ~ the tv|telly|radio|cat|dog for company",
    "left out",
    "@not ~ know ~ ~ anyone|anybody|soul|single person",
    "nobody|no one ~ ~ like|likes|want|wants|care|cares about? me",
    "sit|sat|eat|eating|ate alone|(on my own)",
    "@not had|have ~ ~ ~ conversation|chat|natter",
    "only voice|company|person ~ ~ ~ ~ ~ ~ radio|tv|telly|cat|dog",
    "phone|doorbell|door never|hardly|rarely ring|rings|goes|knocks",
    "(nobody|no one) would ~ notice|miss|care",
    "could|would ~ someone|somebody ~ pop|come|visit|call|ring",
    "lack|lacking companionship",
    "feel|feeling ~ ~ (invisible|forgotten|cut off|shut off|disconnected|abandoned|alone)",
    "cut off from",
    "days without ~ ~ talking|speaking|seeing",
    "wish @me had|have someone|friends|company|somebody",
    "would like|love (some company|more friends|a friend|someone to talk to|someone to chat to|somebody to talk to|somebody to chat to)",
    "want|need ~ (some company|a friend|friends|someone to talk to|someone to chat to)",
    "make|making new? friends",
    "meet ~ people|new people",
    "since ~ ~ ~ died ~ ~ (alone|lonely|on my own|quiet)",
    "wish someone|somebody|anyone|anybody would|could ~ (text|call|ring|message|visit|talk|phone|knock)",
    "someone|somebody|anyone|anybody ~ ~ (talk|chat|have a cuppa|have a brew|have a coffee|go) ~ with",
    "(anyone|anybody|someone|somebody) i could|can ~ talk|chat|ring",
    "not invited anywhere",
    "(weekends|weekend|sundays|sunday|evenings|nights|christmas) ~ ~ (drag|are the hardest|are the worst|are long|so long|so quiet)",
    "(nobody|no one) to ~ (share|eat|go|sit) ~ with",
    "eat|eating|ate ~ ~ (meal|meals|dinner|tea|lunch) ~ ~ (on my own|alone|by myself)",
]

# What the person is asking the directory for.
NEEDS_PATTERNS: dict[str, list[str]] = {
    "respite": [
        "respite",
        "break|rest from (caring|looking after)",
        "(short break|a break) ~ ~ for me",
        "someone to sit with ~ ~ him|her|mum|dad|husband|wife",
        "sitting service|sitter",
        "take over ~ (caring|for a few hours|for a bit)",
        "carer|carers break|breaks",
        "day centre for ~ ~ him|her|mum|dad|husband|wife",
        "(need|want|could do with|desperate for) ~ ~ (a break|a rest|a breather|some sleep|to sleep|time off|a day off)",
        "so (i|we) can ~ (rest|sleep|have a rest|have a break|get some sleep|get a break|recharge)",
        "somewhere|anywhere ~ ~ ~ ~ could|can ~ go|stay ~ ~ ~ (week|days|few days|night|weekend)",
    ],
    "transport": [
        "transport|lift|lifts|taxi|bus|buses|minibus|ride|driver|drivers|dial-a-ride",
        "get|getting to ~ ~ ~ appointment|hospital|doctor|shops|club|group|town|church",
        "get|getting there",
        "(can not|no longer|stopped|gave up|can no longer) ~ drive|driving",
        "how would|do|can i get there",
        "way to get there",
        "wheelchair accessible|access ~ transport|vehicle|taxi",
    ],
    "befriending": [
        "befriend|befriending|befriender|befrienders",
        "someone|somebody to visit|ring|call|phone|chat",
        "someone|somebody ~ to talk to",
        "(visitor|visitors|companion|companionship|pen pal|penpal)",
        "phone call|calls ~ ~ every|each|a week",
        "regular chat|call|visit",
        "(come round|pop round|visit me)",
    ],
    "activities": [
        "club|clubs|group|groups|class|classes|choir|choirs|activity|activities|hobby|hobbies|shed|"
        "lunch|coffee|dance|dancing|walk|walking|craft|crafts|art|singing|bowls|bingo|quiz|gardening|"
        "knitting|exercise|yoga|swimming|volunteer|volunteering|course|meetup|meet-up|social",
        "something|things to do",
        "get out ~ (the house|more)",
        "meet ~ people|new people",
        "make ~ friends",
        "join ~ something",
    ],
}

# Words the spelling step (`safety.normalise`) may correct a misspelling to, beyond those the
# patterns above are written in.
EXTRA_VOCABULARY: list[str] = [
    "myself yourself himself herself themselves suicidal suicide overdose overdosed paracetamol",
    "tablets pills hopeless worthless pointless exhausted ambulance bruises frightened terrified",
    "threatened breathe breathing lonely loneliness alone nobody anymore everyone everything",
    "knife knives razor blade rope bridge cutting harming hurting dementia alzheimers carer caring",
    # contractions typed without apostrophes, so a typo in one ("haevnt") is still read
    "havent hasnt hadnt dont doesnt didnt cant wont wouldnt couldnt shouldnt isnt wasnt werent arent",
]

# A professional's words reported by the person ("the optician said I wasn't safe to drive", "the
# nurse says I'm at risk of falls"): a cue after one of these, in the same sentence, is not a cry
# for help. Family and partners are deliberately absent: "he said he'd kill me" is a threat.
REPORTED_BY_PROFESSIONAL: list[str] = [
    "doctor|doctors|gp|optician|nurse|consultant|dentist|physio|physiotherapist|pharmacist|surgeon|"
    "specialist|paramedic|paramedics|ot|therapist|hospital|clinic|assessment|assessor|council|"
    "dvla|vet|visitor|midwife|psychiatrist|psychologist|counsellor|counselor|worker|teacher ~ ~ say|said|says|tell|told|"
    "think|thinks|thought|reckon|reckons|warn|warned|worry|worried|ask|asked|asks",
    "(according to|was told by) ~ ~ doctor|doctors|gp|optician|nurse|consultant|hospital",
]

# Distress that is not a risk cue on its own but, with the semantic layer's reading of the whole
# message, makes `urgent` safe to raise (the constructs of the Suicide Risk Lexicon v1.0:
# hopelessness, burdensomeness, entrapment, emptiness, lethal means, direct self-injury words).
SUPPORT: dict[str, list[str]] = {
    "suicide": [
        "hopeless|hopelessness|worthless|pointless|meaningless|futile|doomed|numb|emptiness",
        "(no hope|no future|no way out|no escape|no point|no reason|nothing left|lost all hope|had enough)",
        "what be the point",
        "(burden|nuisance|waste of space|dead weight)",
        "better off",
        "trapped|cornered",
        "give|giving|given up ~ on? (life|everything|living)?",
        "tired|sick|exhausted of ~ (life|living|everything|it all|being alive|existing)",
        "done with ~ (life|living|everything|it all)",
        "pill|pills|tablet|tablets|paracetamol|painkillers|codeine|rope|noose|knife|knives|razor|blade|"
        "bridge|cliff|train|tracks|platform|gun|ledge|roof|"
        "motorway|overdose|sea|reservoir|river|canal|exhaust|engine|storey",
        "goodbye|goodbyes|farewell|note|letters|affairs|insurance",
        "disappear|vanish|wake|asleep",
        "=die|=dying|=death|suicide|suicidal",
        "(be not|not be) (here|alive|around)",
    ],
    "self_harm": [
        "cut|cutting|burn|burning|burnt|scratch|scratching|hit|hitting|bang|banging|carve|carving ~ (myself|my arm|my arms|"
        "my leg|my legs|my wrist|my wrists|my skin|my thighs|my thigh|my stomach|my head)",
        "blade|blades|razor|razors|lighter|compass|scars|scar|bleed|bleeding|cuts|scratches|burns",
        "relapse|relapsed|relapsing|urge|urges|selfharm",
        "clean for|clean since",
    ],
    "abuse": [
        # violence: each alternative one word (a multi-word alternative needs its own pattern)
        "hit|hits|hitting|punch|punched|slap|slapped|push|pushed|shove|shoved|kick|kicked|beat|beats|bruise|bruises|"
        "bruised|shout|shouts|shouting|scream|screams|threaten|threatens|threatened|grab|grabbed|rough|strangle|"
        "strangled|choke|choked|throttle|throttled|pin|pinned|drag|dragged|spat|spit|flinch|flinches|smash|smashed|"
        "thump|thumped|batter|battered|violent|violence|temper|rage|raped|rape|assault|assaulted",
        "black eye",
        "throw|threw|thrown ~ ~ ~ at me",
        "hands|hand ~ round|around my (neck|throat)",
        "(he|she|they) ~ ~ ~ (will|would|is going to|is gonna) ~ ~ (smash|kill|hurt|hit|share|post|send|tell|take)",
        "scared|afraid|frightened|terrified|fear|petrified|dread|tiptoe|eggshells",
        "control|controls|controlling|allowed|allow|lock|locked|passport|phone|keys|tracks|tracking|checks|"
        "isolate|isolates|isolated|forbid|forbids|forbidden",
        "(let me|lets me|make me|makes me|made me|stop me|stops me|stopped me)",
        "hide|hides|hid|took|takes|taken|keep|keeps ~ my ~ ~ (keys|phone|money|card|passport|pension|medication)",
        "money|bank|card|pension|savings|cheque|cheques|account|cash|borrow|wallet|purse|inheritance",
        "bully|bullied|bullying|names|messages|insta|snapchat|gc|laugh|laughed|laughing|mock|mocked|humiliate|"
        "humiliated|tormented",
        "(picks on|pick on|group chat|called me|call me|calling me)",
        "pictures|photos|pics|nudes|touch|touches|touched|comments|secret|share|shared|leak",
        "room at night",
        "owe|deport|deported|deportation|sponsorship|hammer|waiting|parked|filming|filmed|pinch|pinches|"
        "pinched|bathroom|bedroom|follow|follows|followed|stalking|stalk|watching|sneaks",
        "(home office|report me|found out where)",
    ],
    # Strain in a carer's words: the meaning alone reads strain into any sentence about caring.
    "carer_strain": [
        "tired|exhausted|exhausting|shattered|knackered|drained|worn|burnt|burned|struggle|struggling|cope|coping|"
        "overwhelmed|resent|resentful|resentment|guilt|guilty|angry|snap|snapped|cry|crying|cried|alone|lonely|"
        "isolated|trapped|breaking|hard|harder|hardest|sleep|slept|awake|break|breaks|nobody|dread|dreading|"
        "frustrated|stressed|stress|anxious|depressed|low|empty|grieving|hate|sacrifice|juggling|juggle|myself",
        "(too much|no life|no time|no break|no help|no support|on my own|by myself|all on me|falling apart|"
        "at my limit|gave up|given up|no one|every night|all night|me time)",
    ],
    "medical_emergency": [
        "breathe|breathing|breath|chest|heart|collapse|collapsed|floor|unconscious|unresponsive|blood|bleeding",
        "seizure|fitting|fit|overdose|swallowed|pill|pills|tablet|tablets|paracetamol|insulin|ambulance|999|sugar|"
        "stroke|awake|drowsy|choking|headache|faint|"
        "fainted|shaking|vomiting",
        "(gone|turned|going|turning|lips|face) ~ blue|grey|gray|pale",
        "floppy|rash|swelling|swollen|wheezing|wheeze|epipen|clammy|vomit|vomiting|sick|confused|numb|slurred|"
        "drooping|pumping|spurting|allergic|dizzy|sweating|sweaty|limp|fitting|convulsing|delirious|burns|burnt|scalded",
    ],
}

# What a message says about the situation, beyond risk: the dialogue answers each in its own way.
SIGNALS: dict[str, list[str]] = {
    # Someone worried about another person: the advice is 999, or the police on 101 for a welfare check.
    "worry_about_someone": [
        "@they ~ ~ have not ~ ~ open|opened|answer|answered|collect|collected|take|taken|pick|picked|draw|drawn ~ ~ ~ "
        "curtains|curtain|door|phone|post|milk|papers|paper|blinds|bins|calls|texts|messages",
        "@they ~ ~ be not (answering|responding|picking up|opening) ~ ~ ~ ~ door|phone|calls|texts|messages|curtains",
        "@they ~ ~ ~ not (answering|responding|picking up) ~ ~ ~ door|phone|calls|texts|messages",
        "have not seen|heard ~ ~ ~ @they ~ ~ ~ ~ days|week|weeks|while|since|ages",
        "curtains|curtain|blinds ~ ~ ~ (closed|shut|drawn|not opened) ~ ~ ~ days|week|since",
        "milk|post|papers ~ ~ ~ piling|piled|stacking|building up",
        "can not get an answer ~ ~ ~ @they|door|phone",
    ],
    # Help is already on its way: acknowledge it instead of telling them to call again.
    "help_coming": [
        "=called|=rang|=phoned|=rung|=rung ~ 999|ambulance|police|111|paramedics|an|the ~ ambulance|police?",
        "ambulance|police|paramedics|paramedic|help|999|crew ~ ~ (on the way|on their way|on its way|coming|here|arrived|outside)",
    ],
    # Not knowing what to do, after a crisis reply: one small step, not the whole reply again.
    "unsure": [
        "(do not|no idea) ~ know what to do|say",
        "@me do not know",
        "no idea what to do",
        "what do i do now",
    ],
}

# Hopelessness that is not yet a wish to die: not a cue, but the assistant asks directly
# ("Are you having thoughts of ending your life?"), as crisis volunteers are trained to.
ASK_DIRECTLY_CUES: dict[str, list[str]] = {
    "suicide": [
        "what be the point of|in ~ ~ (any of it|it all|anything|everything|life|going on|trying|carrying on|me)",
        "(no point|no reason) ~ ~ (anymore|any more|in anything|to anything|in trying|in me)",
        "(can not|do not) see (a way out|the point|a future|any future|any way out)",
        "(no way out|no future|nothing to look forward to|no light at the end)",
        "(i have|i have had|had) enough of (everything|it all|life|this life)",
        "everything ~ ~ (pointless|hopeless|meaningless)",
        "(i am|i feel) ~ ~ (hopeless|worthless|a burden|trapped|empty inside)",
        "(tired|sick) of (everything|it all|being alive|living|life|existing)",
        "(do not|can not) want to do this (anymore|any more)",
    ],
}
