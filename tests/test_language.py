"""Messages in other languages: identified, answered in their language, and their crisis words found.

safety/language.py with the `languages` block of safety.yml. English chat must stay English (it
goes through the English rules); everyday sentences in the listed languages must be identified;
crisis phrases must be found with and without accents, and never in everyday talk.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from safety import language
from safety.language import crisis_in, identify, language_reply, load

ENGLISH_CHAT = [
    line
    for line in (Path(__file__).parent / "data" / "language_english.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]

# The languages the brief names; each must have a reply and crisis words in safety.yml.
REQUIRED = ("pl", "ro", "ur", "pa", "bn", "ar", "es", "pt", "cy")

# Everyday sentences: identified as their language, and no crisis words in them. They include
# a bereavement in the past ("my husband died of a heart attack") and idioms that use the words
# of the crisis lists ("I miss you to death", "the heat is killing me").
EVERYDAY: dict[str, list[str]] = {
    "pl": [
        "Dzień dobry, szukam grupy dla seniorów w Bristolu.",
        "Mieszkam sama i czuję się bardzo samotna.",
        "Mój mąż zmarł w zeszłym roku na zawał serca.",
        "Potrzebuję pomocy z transportem do lekarza.",
        "Mieszkam sama i czuje sie bardzo samotna",
        "Nie mam z kim porozmawiać",
        "Mama mnie zabije, jak się znowu spóźnię.",
        "Moja córka mieszka daleko i rzadko dzwoni",
        "Czy ktoś może mi pomóc z zakupami?",
        "Od kiedy jestem na emeryturze, nic nie robię",
        "Boli mnie noga i nie mogę wychodzić",
        "dziekuje bardzo za pomoc wczoraj",
    ],
    "ro": [
        "Bună ziua, caut un grup pentru persoane în vârstă.",
        "Locuiesc singură și mă simt foarte singură.",
        "Soțul meu a murit anul trecut de infarct.",
        "Locuiesc singura si ma simt foarte singura",
        "Mă bate gândul să merg la clubul de prânz.",
        "Fiica mea locuiește departe și sună rar",
        "Mă poate ajuta cineva cu cumpărăturile?",
        "De când am ieșit la pensie nu fac nimic",
        "Mă doare piciorul și nu pot ieși din casă",
        "multumesc mult pentru ajutor ieri",
    ],
    "ur": [
        "میں اکیلا رہتا ہوں اور بہت تنہا محسوس کرتا ہوں۔",
        "کیا یہاں بزرگوں کے لیے کوئی گروپ ہے؟",
        "میری بیوی کا پچھلے سال دل کا دورہ پڑنے سے انتقال ہو گیا۔",
        "مجھے ڈاکٹر کے پاس جانے کے لیے مدد چاہیے۔",
    ],
    "pa": [
        "ਮੈਂ ਇਕੱਲਾ ਰਹਿੰਦਾ ਹਾਂ ਅਤੇ ਬਹੁਤ ਉਦਾਸ ਹਾਂ।",
        "ਕੀ ਇੱਥੇ ਬਜ਼ੁਰਗਾਂ ਲਈ ਕੋਈ ਗਰੁੱਪ ਹੈ?",
        "ਮੇਰੀ ਪਤਨੀ ਪਿਛਲੇ ਸਾਲ ਗੁਜ਼ਰ ਗਈ।",
        "ਮੈਨੂੰ ਡਾਕਟਰ ਕੋਲ ਜਾਣ ਲਈ ਮਦਦ ਚਾਹੀਦੀ ਹੈ।",
    ],
    "bn": [
        "আমি একা থাকি এবং খুব নিঃসঙ্গ বোধ করি।",
        "এখানে কি বয়স্কদের জন্য কোনো দল আছে?",
        "আমার স্বামী গত বছর মারা গেছেন।",
        "ডাক্তারের কাছে যেতে আমার সাহায্য দরকার।",
    ],
    "ar": [
        "أعيش وحدي وأشعر بالوحدة كثيرا.",
        "هل يوجد نادي للمسنين بالقرب مني؟",
        "توفي زوجي بنوبة قلبية في السنة الماضية.",
        "الحر يقتلني اليوم.",
    ],
    "es": [
        "Hola, busco un grupo para personas mayores cerca de mi casa.",
        "Vivo sola y me siento muy sola.",
        "Mi marido murió de un infarto el año pasado.",
        "Necesito ayuda para ir al medico",
        "No tengo con quién hablar",
        "Siempre se me pega el arroz en la olla.",
        "Mi hija vive lejos y casi nunca llama",
        "¿Alguien me puede ayudar con la compra?",
        "Me duele la pierna y no puedo salir de casa",
        "muchas gracias por la ayuda de ayer",
    ],
    "pt": [
        "Olá, procuro um grupo para idosos perto de casa.",
        "Moro sozinha e sinto-me muito sozinha.",
        "O meu marido morreu de ataque cardíaco no ano passado.",
        "Eu moro sozinho e nao tenho ninguem",
        "Estou muito cansada de cuidar da minha mãe",
        "A minha filha mora longe e quase nunca liga",
        "Alguém me pode ajudar com as compras?",
        "Desde que me reformei não faço nada",
        "Dói-me a perna e não consigo sair de casa",
        "muito obrigada pela ajuda de ontem",
    ],
    "cy": [
        "Bore da, dw i'n chwilio am grŵp i bobl hŷn.",
        "Dw i'n byw ar fy mhen fy hun ac yn unig iawn.",
        "Bu farw fy ngŵr o drawiad ar y galon llynedd.",
        "Mae'r gwres yn fy lladd i heddiw.",
        "Does gen i neb i siarad â nhw",
        "Mae fy merch yn byw yn bell ac yn anaml yn ffonio",
        "All rhywun fy helpu gyda'r siopa?",
        "Ers i mi ymddeol dw i ddim yn gwneud dim byd",
        "Mae fy nghoes yn brifo a dw i ddim yn gallu mynd allan",
        "diolch yn fawr am y help ddoe",
    ],
    "fr": [
        "Bonjour, je cherche un groupe pour les personnes âgées.",
        "J'habite seule et je me sens très seule.",
        "Mon mari est mort d'une crise cardiaque l'année dernière.",
        "je n'ai personne a qui parler",
        "Ma fille habite loin et n'appelle presque jamais",
        "Quelqu'un peut m'aider à faire les courses ?",
        "Depuis ma retraite je ne fais plus rien",
        "J'ai mal à la jambe et je ne peux pas sortir",
        "merci beaucoup pour votre aide hier",
    ],
    "it": [
        "Buongiorno, cerco un gruppo per anziani vicino a casa.",
        "Vivo da sola e mi sento molto sola.",
        "Mio marito è morto di infarto l'anno scorso.",
        "Questo caldo mi ammazza, non esco oggi.",
        "Mia figlia abita lontano e chiama raramente",
        "Qualcuno mi può aiutare con la spesa?",
        "Da quando sono in pensione non faccio niente",
        "Mi fa male la gamba e non posso uscire",
        "grazie mille per l'aiuto di ieri",
    ],
    "de": [
        "Guten Tag, ich suche eine Gruppe für ältere Menschen.",
        "Ich wohne allein und fühle mich sehr einsam.",
        "Mein Mann ist letztes Jahr an einem Herzinfarkt gestorben.",
        "Die Hitze bringt mich heute noch um.",
        "Meine Tochter wohnt weit weg und ruft selten an",
        "Kann mir jemand beim Einkaufen helfen?",
        "Seit ich in Rente bin, mache ich nichts mehr",
        "Mein Bein tut weh und ich kann nicht raus",
        "vielen dank für die hilfe gestern",
    ],
    "lt": [
        "Laba diena, ieškau grupės vyresnio amžiaus žmonėms.",
        "Gyvenu viena ir jaučiuosi labai vieniša.",
        "Mano vyras mirė nuo infarkto praėjusiais metais.",
        "neturiu su kuo pasikalbeti",
        "Mano dukra gyvena toli ir retai skambina",
        "Ar kas nors gali man padėti apsipirkti?",
        "Nuo tada kai išėjau į pensiją nieko neveikiu",
        "Skauda koją ir negaliu išeiti iš namų",
        "labai aciu uz pagalba vakar",
    ],
    "so": [
        "Subax wanaagsan, waxaan raadinayaa koox dadka waayeelka ah.",
        "Keligay ayaan degganahay oo aad baan u cidlaysanahay.",
        "Xaggee ayuu ku yaal naadiga ugu dhow?",
        "Gabadhaydu meel fog ayay ku nooshahay",
        "Qof ma iga caawin karaa wax iibsiga?",
        "Lugtaydu way i xanuunaysaa mana bixi karo",
        "aad baad u mahadsan tihiin caawimaadda",
    ],
    "tr": [
        "Merhaba, yaşlılar için bir grup arıyorum.",
        "Yalnız yaşıyorum ve kendimi çok yalnız hissediyorum.",
        "Kocam geçen yıl kalp krizinden vefat etti.",
        "konusacak kimsem yok artik hic",
        "Kızım uzakta yaşıyor ve nadiren arıyor",
        "Biri bana alışverişte yardım edebilir mi?",
        "Emekli olduğumdan beri hiçbir şey yapmıyorum",
        "Bacağım ağrıyor ve dışarı çıkamıyorum",
        "dun icin yardiminiz icin cok tesekkurler",
    ],
    "hi": [
        "मैं अकेला रहता हूँ और बहुत अकेलापन महसूस करता हूँ।",
        "क्या यहाँ बुज़ुर्गों के लिए कोई समूह है?",
        "मेरे पति की दिल का दौरा पड़ने से मृत्यु हो गई।",
    ],
    "zh": [
        "你好，我在找附近的老年人活动小组。",
        "我一個人住，覺得很孤獨。",
        "我丈夫去年去世了。",
        "想死你了！什么时候来看我？",
        "他昨天打我电话了。",
    ],
    "fa": [
        "من تنها زندگی می‌کنم و خیلی احساس تنهایی می‌کنم.",
        "آیا اینجا گروهی برای سالمندان هست؟",
        "همسرم پارسال فوت کرد.",
        "الهی بمیرم برات، چقدر سختی کشیدی.",
    ],
    "ru": [
        "Здравствуйте, я ищу группу для пожилых людей.",
        "Я живу одна и чувствую себя очень одиноко.",
        "Мой муж умер от инфаркта в прошлом году.",
    ],
    "uk": [
        "Добрий день, я шукаю групу для літніх людей.",
        "Я живу сама і почуваюся дуже самотньою.",
        "Мій чоловік помер минулого року.",
    ],
    "gu": [
        "હું એકલો રહું છું અને ખૂબ એકલતા અનુભવું છું.",
        "શું અહીં વડીલો માટે કોઈ જૂથ છે?",
        "મારી પત્ની ગયા વર્ષે ગુજરી ગઈ.",
    ],
    "ta": [
        "நான் தனியாக வாழ்கிறேன், மிகவும் தனிமையாக உணர்கிறேன்.",
        "இங்கே முதியவர்களுக்கான குழு ஏதாவது இருக்கிறதா?",
        "என் கணவர் கடந்த ஆண்டு இறந்துவிட்டார்.",
    ],
}

# Crisis messages, each with the risk type it must raise. Latin-script ones have four words or
# more, so they are identified (shorter Latin-script text is English by design, see language.py).
CRISIS: dict[str, list[tuple[str, str]]] = {
    "pl": [
        ("Nie chcę już żyć, chcę umrzeć", "suicide"),
        ("Znowu tnę się w nocy, nie umiem przestać", "self_harm"),
        ("Nie mogę oddychać, wezwij karetkę proszę", "medical_emergency"),
        ("Mąż mnie bije i chce mnie zabić", "abuse"),
    ],
    "ro": [
        ("Nu mai vreau să trăiesc, vreau să mor", "suicide"),
        ("Mă tai pe mâini când sunt tristă", "self_harm"),
        ("Nu pot respira, chemați ambulanța acum", "medical_emergency"),
        ("Soțul meu mă lovește în fiecare zi", "abuse"),
    ],
    "ur": [
        ("میں مرنا چاہتا ہوں", "suicide"),
        ("میں خودکشی کرنا چاہتی ہوں", "suicide"),
        ("میں نے خود کو کاٹا ہے", "self_harm"),
        ("مجھے سانس نہیں آ رہی، ایمبولینس بلائیں", "medical_emergency"),
        ("میرا شوہر مجھے مارتا ہے", "abuse"),
    ],
    "pa": [
        ("ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹਾਂ", "suicide"),
        ("ਮੈਂ ਖੁਦਕੁਸ਼ੀ ਬਾਰੇ ਸੋਚਦੀ ਹਾਂ", "suicide"),
        ("ਮੈਂ ਆਪਣੇ ਆਪ ਨੂੰ ਕੱਟਿਆ", "self_harm"),
        ("ਮੈਨੂੰ ਸਾਹ ਨਹੀਂ ਆ ਰਿਹਾ", "medical_emergency"),
        ("ਮੇਰਾ ਪਤੀ ਮੈਨੂੰ ਕੁੱਟਦਾ ਹੈ", "abuse"),
        # Shahmukhi: identified as Urdu, found all the same.
        ("میں مرنا چاہندا واں", "suicide"),
        ("میرا بندہ مینوں کٹدا اے", "abuse"),
    ],
    "bn": [
        ("আমি আর বাঁচতে চাই না, মরে যেতে চাই", "suicide"),
        ("আমি নিজেকে কাটি", "self_harm"),
        ("আমি শ্বাস নিতে পারছি না", "medical_emergency"),
        ("আমার স্বামী আমাকে মারে", "abuse"),
    ],
    "ar": [
        ("أريد أن أموت", "suicide"),
        ("أفكر في الانتحار كل يوم", "suicide"),
        ("سأقتل نفسي الليلة", "suicide"),
        ("أجرح نفسي كل ليلة", "self_harm"),
        ("لا أستطيع التنفس، اطلبوا الإسعاف", "medical_emergency"),
        ("زوجي يضربني كل يوم", "abuse"),
    ],
    "es": [
        ("Ya no puedo más, quiero morir", "suicide"),
        ("He pensado en suicidarme esta semana", "suicide"),
        ("Me corto las muñecas por la noche", "self_harm"),
        ("No puedo respirar, llamen a una ambulancia", "medical_emergency"),
        ("Mi marido me golpea y me va a matar", "abuse"),
    ],
    "pt": [
        ("Não aguento mais, quero morrer", "suicide"),
        ("Vou-me matar esta noite, desculpem", "suicide"),
        ("Corto-me quando estou muito triste", "self_harm"),
        ("Não consigo respirar, chamem uma ambulância", "medical_emergency"),
        ("O meu marido bate-me todos os dias", "abuse"),
    ],
    "cy": [
        ("Dw i eisiau marw, dw i wedi blino", "suicide"),
        ("Dw i'n meddwl am ladd fy hun", "suicide"),
        ("Dw i'n torri fy hun eto heno", "self_harm"),
        ("Dw i'n methu anadlu, ffoniwch ambiwlans", "medical_emergency"),
        ("Mae e'n fy nharo i bob nos", "abuse"),
    ],
    "fr": [
        ("Je veux mourir, je n'en peux plus", "suicide"),
        ("J'ai envie de me suicider ce soir", "suicide"),
        ("Je me scarifie les bras tous les soirs", "self_harm"),
        ("Je n'arrive pas à respirer, appelez une ambulance", "medical_emergency"),
        ("Mon mari me frappe et il va me tuer", "abuse"),
    ],
    "it": [
        ("Voglio morire, non ce la faccio più", "suicide"),
        ("Mi taglio i polsi quando sto male", "self_harm"),
        ("Non riesco a respirare, chiamate un'ambulanza", "medical_emergency"),
        ("Mio marito mi picchia ogni sera", "abuse"),
    ],
    "de": [
        ("Ich will nicht mehr leben, ich will sterben", "suicide"),
        ("Ich ritze mich wieder jeden Abend", "self_harm"),
        ("Ich kann nicht atmen, ruf einen Krankenwagen", "medical_emergency"),
        ("Mein Mann schlägt mich jeden Tag", "abuse"),
    ],
    "lt": [
        ("Aš noriu mirti, nebegaliu daugiau", "suicide"),
        ("Aš žalojuosi kiekvieną vakarą namie", "self_harm"),
        ("Negaliu kvėpuoti, iškvieskite greitąją pagalbą", "medical_emergency"),
        ("Vyras mane muša kiekvieną dieną", "abuse"),
    ],
    "tr": [
        ("Artık yaşamak istemiyorum, ölmek istiyorum", "suicide"),
        ("Her gece kendime zarar veriyorum", "self_harm"),
        ("Nefes alamıyorum, lütfen ambulans çağırın", "medical_emergency"),
        ("Kocam beni dövüyor ve beni öldürecek", "abuse"),
    ],
    "hi": [
        ("मैं मरना चाहता हूँ", "suicide"),
        ("मैं आत्महत्या के बारे में सोच रही हूँ", "suicide"),
        ("मैं खुद को काटती हूँ", "self_harm"),
        ("मुझे साँस नहीं आ रही, एम्बुलेंस बुलाओ", "medical_emergency"),
        ("मेरा पति मुझे मारता है", "abuse"),
    ],
    "zh": [
        ("我想自杀", "suicide"),
        ("我不想活了", "suicide"),
        ("我想自殺", "suicide"),
        ("我又割腕了", "self_harm"),
        ("我喘不过气，请叫救护车", "medical_emergency"),
        ("我丈夫一直家暴我", "abuse"),
    ],
    "fa": [
        ("می‌خواهم بمیرم", "suicide"),
        ("میخوام بمیرم", "suicide"),
        ("به خودکشی فکر می‌کنم", "suicide"),
        ("به خودم آسیب می‌زنم", "self_harm"),
        ("نمی‌تونم نفس بکشم", "medical_emergency"),
        ("شوهرم منو کتک میزنه", "abuse"),
    ],
    "ru": [
        ("Я не хочу жить, хочу умереть", "suicide"),
        ("Я думаю о самоубийстве", "suicide"),
        ("Я режу себя по ночам", "self_harm"),
        ("Не могу дышать, вызовите скорую", "medical_emergency"),
        ("Муж меня бьёт каждый день", "abuse"),
    ],
    "uk": [
        ("Я не хочу жити, хочу померти", "suicide"),
        ("Я ріжу себе, коли мені погано", "self_harm"),
        ("Не можу дихати, викличте швидку", "medical_emergency"),
        ("Чоловік мене бʼє щодня", "abuse"),
    ],
    "gu": [
        ("મારે મરી જવું છે", "suicide"),
        ("હું આત્મહત્યા કરવા માંગુ છું", "suicide"),
        ("હું મારી જાતને કાપું છું", "self_harm"),
        ("હું શ્વાસ નથી લઈ શકતો, એમ્બ્યુલન્સ બોલાવો", "medical_emergency"),
        ("મારો પતિ મને મારે છે", "abuse"),
    ],
    "ta": [
        ("நான் சாக விரும்புகிறேன்", "suicide"),
        ("தற்கொலை செய்ய நினைக்கிறேன்", "suicide"),
        ("என்னை நானே காயப்படுத்திக் கொள்கிறேன்", "self_harm"),
        ("மூச்சு விட முடியவில்லை, ஆம்புலன்ஸ் அழையுங்கள்", "medical_emergency"),
        ("என் கணவர் என்னை அடிக்கிறார்", "abuse"),
    ],
}

# The same crisis words typed without accents (or with other spellings people use), by language.
PLAIN_TYPED: list[tuple[str, str, str]] = [
    ("pl", "Nie chce juz zyc, chce umrzec", "suicide"),
    ("pl", "Znowu tne sie w nocy", "self_harm"),
    ("pl", "NIE MOGĘ ODDYCHAĆ", "medical_emergency"),
    ("ro", "Nu mai vreau sa traiesc, vreau sa mor", "suicide"),
    ("ro", "Ma tai pe maini cand sunt trista", "self_harm"),
    ("ro", "Nu pot respira, chemati ambulanta", "medical_emergency"),
    ("ro", "Soțul meu mă lovește", "abuse"),  # comma-below ș, ț
    ("ro", "Soţul meu mă loveşte", "abuse"),  # cedilla ş, ţ from older keyboards
    ("es", "Me corto las munecas por la noche", "self_harm"),
    ("es", "Mi marido me golpeo ayer", "abuse"),
    ("pt", "Nao consigo respirar, chamem uma ambulancia", "medical_emergency"),
    ("pt", "Nao quero viver mais", "suicide"),
    ("fr", "j'arrive pas a respirer", "medical_emergency"),
    ("fr", "J’ai envie de me suicider", "suicide"),  # typographic apostrophe
    ("it", "Voglio morire, non ce la faccio piu", "suicide"),
    ("de", "ich mochte sterben", "suicide"),  # umlaut left off
    ("de", "Mein Mann schlagt mich", "abuse"),
    ("lt", "As noriu mirti", "suicide"),
    ("lt", "Negaliu kvepuoti", "medical_emergency"),
    ("tr", "Artik yasamak istemiyorum, olmek istiyorum", "suicide"),
    ("tr", "NEFES ALAMIYORUM", "medical_emergency"),  # dotless I in capitals
    ("cy", "Dw i isio marw", "suicide"),
    ("ar", "اريد ان اموت", "suicide"),  # no hamza
    ("ar", "أُرِيدُ أَنْ أَمُوتَ", "suicide"),  # full vowel marks
    ("ar", "بيضربني جوزي", "abuse"),  # Egyptian, with a prefix on the verb
    ("fa", "می خوام بمیرم", "suicide"),  # space instead of the zero-width non-joiner
    ("fa", "به خودكشي فكر ميكنم", "suicide"),  # Arabic keyboard: ي and ك
    ("ur", "main marna chahta hoon", "suicide"),  # Urdu in Latin letters
    ("ur", "khudkushi kar lunga", "suicide"),
    ("hi", "मुझे सांस नहीं आ रही", "medical_emergency"),  # anusvara for chandrabindu
    ("pa", "ਮੈਂ ਖ਼ੁਦਕੁਸ਼ੀ ਬਾਰੇ ਸੋਚਦੀ ਹਾਂ", "suicide"),  # with nukta
    ("ru", "Муж меня бьет каждый день", "abuse"),  # е for ё
    ("uk", "Чоловік мене б'є щодня", "abuse"),  # ASCII apostrophe
    ("zh", "他威脅要殺我", "abuse"),
]


# Labelled messages the lists used to miss (register other_language): every one is urgent.
MISSED_BEFORE: list[tuple[str, str, str]] = [
    ("pt", "Não quero mais viver. Já escrevi uma carta para a minha mãe.", "suicide"),
    ("pt", "Tenho pensado em atirar-me para a linha do comboio. Desculpem escrever isto.", "suicide"),
    ("es", "Ya no aguanto más. Esta noche me quiero quitar la vida.", "suicide"),
    ("pl", "Od rozwodu piję i myślę tylko o tym, żeby się powiesić. Nikt by nawet nie zauważył.", "suicide"),
    # Third person: a brother, a friend.
    ("ro", "Fratele meu mi-a scris că își ia viața în seara asta și nu mai răspunde la telefon.", "suicide"),
    ("ar", "صديقي أرسل لي رسالة وداع وقال إنه سيأخذ كل حبوبه الليلة.", "suicide"),
]

# More crisis messages in each language: first and third person, the means (hanging, jumping,
# pills, wrists), colloquial and dialect forms, Urdu and Punjabi in Latin letters, no accents.
CRISIS_MORE: dict[str, list[tuple[str, str]]] = {
    "pl": [
        ("Mój brat napisał, że dziś w nocy się powiesi.", "suicide"),
        ("Chyba rzucę się pod pociąg, nie mam już siły.", "suicide"),
        ("Nie mam po co zyc, chyba skocze z mostu", "suicide"),
        ("Znowu się pocięłam, nikt o tym nie wie.", "self_harm"),
        ("Wzięłam za dużo tabletek i kręci mi się w głowie.", "medical_emergency"),
        ("Boję się męża, zamyka mnie w domu i zabiera mi pieniądze.", "abuse"),
    ],
    "ro": [
        ("Prietena mea vrea să se arunce de pe bloc în noaptea asta.", "suicide"),
        ("M-am gândit să-mi tai venele în baie.", "suicide"),
        ("vreau sa mor, o sa ma arunc in fata trenului", "suicide"),
        ("Iar m-am tăiat pe brațe, nu mă pot opri.", "self_harm"),
        ("Am luat prea multe pastile și mi-e foarte rău.", "medical_emergency"),
        ("Soțul meu mă bate și mi-a luat pașaportul.", "abuse"),
    ],
    "ur": [
        ("میری دوست نے کہا کہ وہ آج رات پنکھے سے لٹک جائے گی", "suicide"),
        ("میں ساری گولیاں کھا لوں گی، اب برداشت نہیں ہوتا", "suicide"),
        ("mera bhai keh raha hai woh khud ko khatam kar lega", "suicide"),
        ("yaar main ab zinda nahi rehna chahti", "suicide"),
        ("ابو بے ہوش ہو گئے ہیں، ایمبولینس بلائیں", "medical_emergency"),
        ("میرا شوہر مجھ پر ہاتھ اٹھاتا ہے اور میرا پاسپورٹ لے لیا ہے", "abuse"),
        ("ghar wale meri zabardasti shadi karwa rahe hain", "abuse"),
    ],
    "pa": [
        ("ਮੇਰਾ ਭਰਾ ਕਹਿੰਦਾ ਕਿ ਉਹ ਨਹਿਰ ਵਿੱਚ ਛਾਲ ਮਾਰ ਦੇਵੇਗਾ", "suicide"),
        ("ਮੈਂ ਫਾਹਾ ਲੈ ਲਵਾਂਗੀ, ਹੋਰ ਨਹੀਂ ਸਹਿ ਸਕਦੀ", "suicide"),
        ("main hun hor jeena nahi chahunda yaar", "suicide"),
        ("ਬਾਪੂ ਜੀ ਬੇਹੋਸ਼ ਹੋ ਗਏ ਹਨ, ਐਂਬੂਲੈਂਸ ਬੁਲਾਓ", "medical_emergency"),
        ("ਮੇਰੇ ਘਰਵਾਲੇ ਨੇ ਮੈਨੂੰ ਕੁੱਟਿਆ ਤੇ ਮੇਰਾ ਪਾਸਪੋਰਟ ਲੈ ਲਿਆ", "abuse"),
        ("ਮੇਰੇ ਸਹੁਰੇ ਮੇਰਾ ਜ਼ਬਰਦਸਤੀ ਵਿਆਹ ਕਰਵਾ ਰਹੇ ਹਨ", "abuse"),
    ],
    "bn": [
        ("আমার বন্ধু বলেছে আজ রাতে সে গলায় দড়ি দেবে", "suicide"),
        ("আমি আর বাঁচতে চাই না, ছাদ থেকে ঝাঁপ দেব", "suicide"),
        ("ami ar bachte chai na, sob shesh", "suicide"),
        ("আবার নিজেকে কেটেছি, রক্ত থামছে না", "self_harm"),
        ("মা অজ্ঞান হয়ে গেছে, এম্বুলেন্স লাগবে", "medical_emergency"),
        ("আমার স্বামী আমাকে মারধর করে, আমার পাসপোর্ট নিয়ে নিয়েছে", "abuse"),
    ],
    "ar": [
        ("أختي قالت إنها ستقتل نفسها الليلة", "suicide"),
        ("بدي ارمي حالي من البلكونة", "suicide"),
        ("عايزة اموت، مش قادرة اكمل حياتي", "suicide"),
        ("رجعت اجرح نفسي بالموس", "self_harm"),
        ("ابوي مغمى عليه ومش بيتنفس، اتصلوا بالاسعاف", "medical_emergency"),
        ("جوزي بيضربني وحابسني في البيت", "abuse"),
        ("اهلي بدهم يزوجوني غصب عني", "abuse"),
    ],
    "es": [
        ("Mi hermano dice que se va a tirar del puente esta noche", "suicide"),
        ("Ya no quiero vivir, me voy a ahorcar", "suicide"),
        ("Mi amiga se quiere quitar la vida, no contesta", "suicide"),
        ("Volví a cortarme anoche, no sé qué hacer", "self_harm"),
        ("Mi padre no respira, llamen a emergencias", "medical_emergency"),
        ("Mi marido me pega y me encierra en casa", "abuse"),
        ("Mis padres me obligan a casarme con un primo", "abuse"),
    ],
    "pt": [
        ("O meu irmão disse que se vai atirar da ponte", "suicide"),
        ("Ela quer se matar, mandou uma mensagem de despedida", "suicide"),
        ("Estou cansada de viver, quero dormir e nunca mais acordar", "suicide"),
        ("Voltei a cortar-me depois de um ano", "self_harm"),
        ("Tomei comprimidos a mais e estou muito tonta", "medical_emergency"),
        ("O meu marido espanca-me e tirou-me o passaporte", "abuse"),
        ("meu namorado me bate e me tranca em casa", "abuse"),
    ],
    "cy": [
        ("Mae fy ffrind yn dweud ei fod am ladd ei hun heno", "suicide"),
        ("Dw i eisiau neidio oddi ar y bont, dw i ddim isie byw", "suicide"),
        ("Dw i wedi bod yn niweidio fy hun eto", "self_harm"),
        ("Mae Mam yn anymwybodol ar y llawr, ffoniwch ambiwlans", "medical_emergency"),
        ("Mae fy ngŵr yn fy mwrw i ac mae gen i ofn fy ngŵr", "abuse"),
    ],
    "fr": [
        ("Mon frère veut se pendre, il me l'a écrit", "suicide"),
        ("Je vais me jeter sous un train ce soir", "suicide"),
        ("J'ai envie d'en finir, je n'ai plus la force de vivre", "suicide"),
        ("Je me brûle avec des cigarettes depuis des mois", "self_harm"),
        ("Mon père ne respire plus, appelez les pompiers", "medical_emergency"),
        ("J'ai peur de mon mari, il m'enferme à la maison", "abuse"),
    ],
    "it": [
        ("Mia sorella vuole farla finita, ha scritto una lettera", "suicide"),
        ("Stasera mi butto sotto un treno", "suicide"),
        ("Non voglio più vivere, voglio impiccarmi", "suicide"),
        ("Mi brucio con le sigarette quando sto male", "self_harm"),
        ("Ho preso troppe pillole, chiamate il 118", "medical_emergency"),
        ("Mio marito mi prende a botte e mi chiude in casa", "abuse"),
    ],
    "de": [
        ("Mein Sohn will sich umbringen, er hat es mir geschrieben", "suicide"),
        ("Ich werde mich heute Nacht vor den Zug werfen", "suicide"),
        ("Ich möchte einschlafen und nie wieder aufwachen", "suicide"),
        ("Ich habe mich gestern wieder geritzt", "self_harm"),
        ("Meine Mutter ist bewusstlos, ruf den Notarzt", "medical_emergency"),
        ("Ich habe Angst vor meinem Mann, er sperrt mich ein", "abuse"),
    ],
    "lt": [
        ("Mano brolis sako, kad nori mirti", "suicide"),
        ("Nebenoriu gyventi, noriu pasikarti", "suicide"),
        ("Tėtis be sąmonės, skambinkite greitajai", "medical_emergency"),
        ("Bijau savo vyro, jis mane užrakina namuose", "abuse"),
    ],
    "tr": [
        ("Kardeşim kendini öldürmek istiyor", "suicide"),
        ("Köprüden atlayacağım, artık dayanamıyorum", "suicide"),
        ("Keşke ölsem, yaşamanın anlamı yok", "suicide"),
        ("Kendimi yine kestim, kimseye söyleyemiyorum", "self_harm"),
        ("Annem bayıldı, bilinci kapalı, 112'yi arayın", "medical_emergency"),
        ("Kocamdan korkuyorum, beni eve kilitliyor", "abuse"),
    ],
    "hi": [
        ("मेरा दोस्त कह रहा है कि वह पंखे से लटक जाएगा", "suicide"),
        ("मैं अब और नहीं जी सकती, ज़हर खा लूंगी", "suicide"),
        ("पापा बेहोश हो गए हैं, एम्बुलेंस बुलाइए", "medical_emergency"),
        ("मेरा पति मुझ पर हाथ उठाता है", "abuse"),
    ],
    "zh": [
        ("我朋友说今晚要跳楼", "suicide"),
        ("我活不下去了，想上吊", "suicide"),
        ("我妈妈晕倒了，快叫救护车", "medical_emergency"),
        ("我老公揍我，还把我锁在家里", "abuse"),
    ],
    "fa": [
        ("دوستم میگه میخواد خودشو بکشه", "suicide"),
        ("میخوام از پل بپرم", "suicide"),
        ("مادرم بیهوش شده، زنگ بزنید اورژانس", "medical_emergency"),
        ("شوهرم کتکم میزنه و من از شوهرم میترسم", "abuse"),
    ],
    "ru": [
        ("Мой брат сказал, что повесится", "suicide"),
        ("Хочу наглотаться таблеток, уснуть и не проснуться", "suicide"),
        ("Мама потеряла сознание, вызывайте скорую", "medical_emergency"),
        ("Муж избивает меня и забрал паспорт", "abuse"),
    ],
    "uk": [
        ("Мій друг написав, що повіситься", "suicide"),
        ("Я більше не хочу жити, стрибну з мосту", "suicide"),
        ("Тато знепритомнів, викликайте швидку", "medical_emergency"),
        ("Я боюся свого чоловіка, він замикає мене вдома", "abuse"),
    ],
    "gu": [
        ("મારો ભાઈ આપઘાત કરવાની વાત કરે છે", "suicide"),
        ("મારે હવે જીવવું નથી, ઝેર ખાઈ લઈશ", "suicide"),
        ("મમ્મી બેભાન થઈ ગઈ છે, એમ્બ્યુલન્સ બોલાવો", "medical_emergency"),
        ("મારો પતિ મને મારઝૂડ કરે છે", "abuse"),
    ],
    "ta": [
        ("என் நண்பன் தற்கொலைக்கு முயற்சி செய்யப் போகிறான்", "suicide"),
        ("எனக்கு வாழவே பிடிக்கவில்லை", "suicide"),
        ("அம்மா மயங்கி விழுந்துவிட்டார், ஆம்புலன்ஸ் கூப்பிடுங்கள்", "medical_emergency"),
        ("வீட்டில் எனக்கு கட்டாய திருமணம் செய்ய வைக்கிறார்கள்", "abuse"),
    ],
}

# Idioms and everyday sentences with the words of the crisis lists in them: dying of laughter or
# hunger, "I'll pop to the shop", a sale at rock-bottom prices, pills taken as prescribed.
IDIOMS: dict[str, list[str]] = {
    "pl": [
        "Umieram ze śmiechu, ten film jest świetny!",
        "Umieram z głodu, zjedzmy coś.",
        "Skoczę tylko do sklepu po chleb.",
        "Wyskoczę na chwilę do sąsiadki.",
        "Uważaj, bo zrobisz sobie krzywdę na tych schodach.",
    ],
    "ro": [
        "Am murit de râs la filmul ăsta!",
        "Mor de foame, hai să mâncăm.",
        "Mă omor după ciocolată.",
        "Iau toate pastilele dimineața, cum a zis doctorul.",
    ],
    "ur": [
        "ہنستے ہنستے مر جاؤں گا یار",
        "بھوک سے مر رہا ہوں، کھانا کب ملے گا؟",
        "میں نے صبح کی ساری گولیاں کھا لیں",
    ],
    "pa": [
        "ਹੱਸ ਹੱਸ ਕੇ ਮਰ ਗਏ",
        "ਭੁੱਖ ਨਾਲ ਮਰ ਰਿਹਾ ਹਾਂ",
        "ਮੈਂ ਸਾਰੀਆਂ ਗੋਲੀਆਂ ਸਵੇਰੇ ਖਾ ਲਈਆਂ",
    ],
    "bn": [
        "হাসতে হাসতে মরে যাচ্ছি",
        "খিদেয় মরে যাচ্ছি",
        "রান্না করতে গিয়ে আঙুল কেটে ফেলেছি",
    ],
    "ar": [
        "قتلني الضحك من هذا الفيديو",
        "هموت من الجوع",
        "بموت فيك يا حبيبي",
        "اخذت كل حبوبي الصبح",
    ],
    "es": [
        "Me muero de risa con este vídeo",
        "Me muero de hambre, ¿comemos?",
        "Casi me da un infarto cuando vi la factura",
        "Tiré el dinero por la ventana en ese viaje",
    ],
    "pt": [
        "Morri de rir com esse vídeo!",
        "Estou a morrer de fome",
        "Vou enforcar a sexta-feira e fazer um feriado prolongado",
        "Tomei todos os comprimidos de manhã, como o médico mandou.",
    ],
    "cy": [
        "Dw i bron â marw eisiau paned",
        "Mae'r plant wedi neidio o flaen y ciw eto",
        "Wnes i frifo fy hun yn yr ardd ddoe",
    ],
    "fr": [
        "Je suis mort de rire",
        "Je meurs de faim",
        "Je me jette à l'eau et je m'inscris au club",
        "Je me cogne toujours la tête contre cette porte",
    ],
    "it": [
        "Sto morendo dal ridere",
        "Muoio di fame",
        "Mi butto giù quando piove",
        "Domani mi taglio i capelli",
    ],
    "de": [
        "Ich lache mich tot",
        "Ich sterbe vor Hunger",
        "Ich könnte mich umbringen, ich habe den Schlüssel vergessen",
    ],
    "lt": ["Mirštu iš juoko", "Mirštu iš bado"],
    "tr": ["Gülmekten öldüm", "Açlıktan ölüyorum", "Ölmek istemiyorum, yaşamak istiyorum"],
    "hi": ["हंसते हंसते मर गया", "भूख से मर रहा हूं", "वह अपनी जान लेकर भागा"],
    "zh": ["跳楼价大甩卖", "笑死我了", "我每天吃安眠药", "我吞药片很困难"],
    "fa": ["از خنده مردم", "از گشنگی دارم میمیرم"],
    "ru": ["Я умираю со смеху", "Умираю от голода", "Хоть вешайся от этой скуки"],
    "uk": ["Я помираю зі сміху", "Помираю з голоду"],
    "gu": ["હસી હસીને મરી ગયો", "ભૂખથી મરી રહ્યો છું"],
    "ta": ["சிரிச்சு சிரிச்சு செத்துட்டேன்", "பசியால் சாகிறேன்"],
}


def test_the_english_list_is_long_enough() -> None:
    assert len(ENGLISH_CHAT) >= 150


def test_english_chat_stays_english() -> None:
    wrong = {text: identify(text) for text in ENGLISH_CHAT if identify(text).code != "en"}
    assert not wrong, f"English taken for another language: {wrong}"


@pytest.mark.parametrize("code", sorted(EVERYDAY))
def test_everyday_sentences_are_identified(code: str) -> None:
    assert len(EVERYDAY[code]) >= 3
    for text in EVERYDAY[code]:
        guess = identify(text)
        assert guess.code == code, f"{text!r} -> {guess}"
        assert not guess.english
        assert 0 < guess.confidence <= 1


@pytest.mark.parametrize(
    "text",
    [
        "Konuşacak kimsem yok",  # three words: too little to be sure
        "nu am cu cine sa vorbesc",  # lingua only 0.42 sure
        "Magdalena Kowalska",
        "salam alaikum",
        "BS5 3AA",
        "07700 900123",
        ":)",
        "",
        "   ",
    ],
)
def test_short_latin_text_and_no_letters_are_english_by_default(text: str) -> None:
    assert identify(text) == language.LanguageGuess("en", "English", 0.0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Chcę się zabić", "pl"),
        ("quiero morir", "es"),
        ("Dw i eisiau marw", "cy"),
        ("je veux mourir", "fr"),
        ("Nu pot respira", "ro"),
        ("main marna chahta hoon", "ur"),  # Urdu in Latin letters
        ("I want to die, chcę umrzeć", "pl"),  # crisis words in another language win over English
    ],
)
def test_a_crisis_phrase_settles_the_language_of_a_short_message(text: str, code: str) -> None:
    guess = identify(text)
    assert (guess.code, guess.confidence) == (code, 1.0)
    assert crisis_in(text, guess.code)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal, I just want a choir",  # "suicid*" is one word: it does not settle a language
        "suicidal thoughts again",
        "I used to live in Pontypridd and Llanelli",  # Welsh place names, English words
        "Dafydd and Rhiannon live in Aberystwyth now",
    ],
)
def test_english_words_keep_english_messages_english(text: str) -> None:
    assert identify(text).code == "en"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("شكرا", "ar"),  # a single word settles it when the script is not Latin
        ("ਧੰਨਵਾਦ", "pa"),
        ("ধন্যবাদ", "bn"),
        ("धन्यवाद", "hi"),
        ("謝謝", "zh"),
        ("請問附近有沒有 lunch club", "zh"),  # Chinese with English words
        ("میں مرنا چاہندا واں", "ur"),  # Shahmukhi Punjabi reads as Urdu
        ("Γεια σου, είμαι μόνη μου", "und"),  # a script none of the listed languages use
        ("안녕하세요 외로워요", "und"),
    ],
)
def test_the_script_settles_non_latin_text(text: str, code: str) -> None:
    assert identify(text).code == code


@pytest.mark.parametrize(
    "text",
    [
        "Łukasz is my carer",
        "Wiśniewski is my surname",
        "I saw Björk at the Colston Hall",
        "Siân and Zoë came round for tea",
        "My name is محمد and I live in Easton",
    ],
)
def test_english_with_a_foreign_name_stays_english(text: str) -> None:
    assert identify(text).code == "en"


@pytest.mark.parametrize("code", sorted(CRISIS))
def test_crisis_words_are_found(code: str) -> None:
    for text, risk_type in CRISIS[code]:
        guess = identify(text)
        assert not guess.english, f"{text!r} was taken for English"
        assert risk_type in crisis_in(text, guess.code), f"{text!r} ({guess.code}) should raise {risk_type}"


@pytest.mark.parametrize(("code", "text", "risk_type"), PLAIN_TYPED)
def test_crisis_words_are_found_without_accents_and_in_other_spellings(code: str, text: str, risk_type: str) -> None:
    assert crisis_in(text, code) == [risk_type]


@pytest.mark.parametrize(("code", "text", "risk_type"), MISSED_BEFORE)
def test_messages_the_lists_used_to_miss_are_urgent(code: str, text: str, risk_type: str) -> None:
    guess = identify(text)
    assert guess.code == code, f"{text!r} -> {guess}"
    assert risk_type in crisis_in(text, guess.code)


@pytest.mark.parametrize("code", sorted(CRISIS_MORE))
def test_more_crisis_messages_are_found(code: str) -> None:
    assert len(CRISIS_MORE[code]) >= 3
    for text, risk_type in CRISIS_MORE[code]:
        guess = identify(text)
        assert not guess.english, f"{text!r} was taken for English"
        assert risk_type in crisis_in(text, guess.code), f"{text!r} ({guess.code}) should raise {risk_type}"


@pytest.mark.parametrize("code", sorted(IDIOMS))
def test_idioms_with_crisis_words_raise_nothing(code: str) -> None:
    assert len(IDIOMS[code]) >= 2
    for text in IDIOMS[code]:
        assert crisis_in(text, code) == [], text


def test_every_configured_language_has_more_crisis_messages_and_idioms() -> None:
    assert set(load().languages) <= set(CRISIS_MORE) & set(IDIOMS)


@pytest.mark.parametrize("code", sorted(EVERYDAY))
def test_no_crisis_in_everyday_sentences(code: str) -> None:
    for text in EVERYDAY[code]:
        assert crisis_in(text, code) == [], text


def test_crisis_words_of_a_neighbouring_language_are_found() -> None:
    # Short messages are easily taken for a close language; the words are found all the same.
    assert crisis_in("Quero morrer, não aguento mais", "es") == ["suicide"]
    assert crisis_in("Я ріжу себе", "ru") == ["self_harm"]
    assert crisis_in("main marna chahta hoon", "so") == ["suicide"]


def test_several_types_in_one_message_are_all_found_most_serious_first() -> None:
    assert crisis_in("Mój mąż mnie bije, nie mogę oddychać", "pl") == ["medical_emergency", "abuse"]


def test_english_and_unknown_codes_find_nothing() -> None:
    assert crisis_in("quiero morir", "en") == []
    assert crisis_in("quiero morir", "xx") == []
    assert crisis_in("quiero morir", "und") == ["suicide"]


def test_crisis_phrases_match_whole_words_only() -> None:
    # "me corto" is not listed on its own, and "suicid*" needs the start of a word.
    assert crisis_in("Me corto el pelo los martes", "es") == []
    assert crisis_in("antisuicidio", "es") == []


def test_the_required_languages_are_configured() -> None:
    config = load()
    for code in REQUIRED:
        entry = config.languages[code]
        assert entry.crisis.keys() >= {"suicide", "self_harm", "medical_emergency", "abuse"}, code


@pytest.mark.parametrize("code", sorted(load().languages))
def test_every_language_has_a_reply_with_the_numbers(code: str) -> None:
    reply = language_reply(code)
    assert reply is not None
    assert "999" in reply
    assert "116 123" in reply
    assert "{" not in reply and "}" not in reply
    assert "Samaritan" in reply or "Samariaid" in reply


def test_right_to_left_replies_keep_the_numbers_in_order() -> None:
    # In an Arabic-script paragraph, "116 123" would be shown as "123 116" without the isolate.
    assert "\u2066116 123\u2069" in language_reply("ar")
    assert "\u2066" not in language_reply("pl")


def test_no_reply_for_a_language_without_translation() -> None:
    assert language_reply("so") is None
    assert language_reply("en") is None


def test_the_detector_is_built_once() -> None:
    language.warm_up()
    assert language._detector() is language._detector()


def test_identifying_a_message_is_fast() -> None:
    messages = ENGLISH_CHAT + [text for texts in EVERYDAY.values() for text in texts]
    identify("warm up")
    timings = []
    for text in messages:
        start = time.perf_counter()
        identify(text)
        timings.append(time.perf_counter() - start)
    timings.sort()
    assert timings[int(len(timings) * 0.95)] < 0.005


# --- a malformed languages block fails loudly ----------------------------------------------------

VALID = {
    "numbers": {"emergency": "999", "samaritans": "116 123"},
    "english_words": ["the", "and", "you"],
    "languages": {
        "pl": {
            "name": "Polish",
            "reply": "Zadzwoń pod {emergency} albo {samaritans}.",
            "crisis": {"suicide": ["chcę umrzeć"], "abuse": ["mnie bije"]},
        }
    },
}


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "safety.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _broken(change: str) -> dict:
    data = yaml.safe_load(yaml.safe_dump(VALID, allow_unicode=True))
    polish = data["languages"]["pl"]
    if change == "unknown risk type":
        polish["crisis"]["sadness"] = ["jestem smutny"]
    elif change == "reply without samaritans":
        polish["reply"] = "Zadzwoń pod {emergency}."
    elif change == "reply with an unknown placeholder":
        polish["reply"] = "Zadzwoń pod {emergency}, {samaritans} albo {police}."
    elif change == "unknown language":
        data["languages"]["xx"] = polish
    elif change == "no numbers":
        del data["numbers"]
    elif change == "phrase too short":
        polish["crisis"]["suicide"] = ["mor"]
    elif change == "crisis list empty":
        polish["crisis"]["suicide"] = []
    elif change == "no name":
        del polish["name"]
    elif change == "languages not a mapping":
        data["languages"] = ["pl"]
    elif change == "english word with a space":
        data["english_words"].append("the end")
    return data


def test_a_valid_file_loads(tmp_path: Path) -> None:
    config = load(_write(tmp_path, VALID))
    assert identify("Chce umrzec dzisiaj", config).code == "pl"
    assert crisis_in("Chce umrzec", "pl", config) == ["suicide"]
    assert language_reply("pl", config) == "Zadzwoń pod 999 albo 116 123."
    assert language_reply("es", config) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown risk type", "'sadness' is not a risk type"),
        ("reply without samaritans", r"needs \{emergency\} and \{samaritans\}"),
        ("reply with an unknown placeholder", r"unknown \['police'\]"),
        ("unknown language", "not a language Kindred identifies"),
        ("no numbers", "numbers"),
        ("phrase too short", "too short"),
        ("crisis list empty", "non-empty list"),
        ("no name", "name"),
        ("languages not a mapping", "`languages` must be a mapping"),
        ("english word with a space", "not a single lower-case word"),
    ],
)
def test_a_malformed_languages_block_raises(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load(_write(tmp_path, _broken(change)))


def test_a_message_starting_with_a_combining_mark_is_read() -> None:
    """A stray vowel mark or accent before any letter (as a phone keyboard can leave) is not an error."""
    from safety.language import crisis_in, identify

    for text in (
        "\u064e\u0623\u0631\u064a\u062f \u0623\u0646 \u0623\u0645\u0648\u062a",
        "\u0301hola, \u00bfqu\u00e9 tal?",
    ):
        code = identify(text).code
        assert isinstance(crisis_in(text, code), list)
