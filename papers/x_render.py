"""Posts for X: weighted length as X counts it, cutting to fit, and digests as posts or threads.

Pure and stdlib only. ``weighted_length`` follows twitter-text's configuration v3 (what X's
server checks the 280 limit against): code points in the ranges of ``_LIGHT`` weigh 1, every
other one 2 (CJK counts 2), a URL counts 23 whatever its length, an emoji (a sequence with ZWJ,
skin tones or variation selectors included) counts 2, and the text is NFC-normalised first.

URLs are found with twitter-text's own grammar (its regular expression, bare domains, the
top-level-domain lists and the t.co rule), ported from twitter-text (Apache-2.0) by way of
twitter-text-python (MIT); ``tests/test_x.py`` checks the assembled pattern is the same string
and compares ``weighted_length`` with ``twitter_text.parse_tweet`` on generated text. Emoji
sequences are twitter-text's list (Unicode Emoji 12.0), rebuilt here from a few rules and
tables (checked against the list in the tests).

Known divergences from twitter-text-python, all on the safe side (never fewer than it counts):

* ``\\r\\n`` counts 2 (twitter-text-python folds it to one ``\\n``; twitter-text's JavaScript
  counts both);
* nothing else is known. Emoji newer than 12.0 that are sequences (a newer ZWJ sequence, a
  skin tone on a newer base) count per code point as in twitter-text, i.e. more than the 2
  today's X counts them: also safe.

Post payloads are X's ``POST /2/tweets`` body except for replies: the id of the post answered
is unknown until it is sent, so a reply carries ``{"reply": {"in_reply_to_post_index": i}}``
(``i`` = ``Post.reply_to``, the index of the previous post of the same digest) and the
publisher sends ``{"reply": {"in_reply_to_tweet_id": <id of post i>}}`` in its place.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache, partial
from typing import Literal

from papers.model import Digest, DigestItem, PaperItem
from papers.publishing import Post
from papers.render import (
    announcement_tags,
    head_titles,
    paper_authors,
    papers_heading,
    plural,
    summary_excerpt,
    text_excerpt,
)
from papers.text import collapse, grapheme_breaks

MAX_WEIGHTED = 280
URL_WEIGHT = 23
ELLIPSIS = "…"
SHORTSCIENCE = "https://www.shortscience.org"

Mode = Literal["per-item", "thread"]
LinkMode = Literal["links", "one-link"]

# twitter-text v3: these code points weigh 1 (scale 100: weight 100), every other one 2.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Single code points twitter-text counts as an emoji that would otherwise weigh 1.
_LIGHT_EMOJI = frozenset("\u00a9\u00ae")
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG = 40

TITLE_BUDGET = 110
AUTHOR_BUDGET = 40
EXCERPT_CHARS = 600
MIN_BODY = 12


# ---------------------------------------------------------------------------------------------
# URLs: twitter-text's extractor

_PUNCT = r"\!'#%&'\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$/"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"

# twitter-text's top-level domains (generic, then country codes), in its order.
_GTLDS = """
삼성 닷컴 닷넷 香格里拉 餐厅 食品 飞利浦 電訊盈科 集团 通販 购物 谷歌 诺基亚 联通 网络
网站 网店 网址 组织机构 移动 珠宝 点看 游戏 淡马锡 机构 書籍 时尚 新闻 政府 政务 招聘
手表 手机 我爱你 慈善 微博 广东 工行 家電 娱乐 天主教 大拿 大众汽车 在线 嘉里大酒店 嘉里
商标 商店 商城 公益 公司 八卦 健康 信息 佛山 企业 中文网 中信 世界 ポイント ファッション
セール ストア コム グーグル クラウド みんな คอม संगठन नेट कॉम همراه موقع موبايلي كوم
كاثوليك عرب شبكة بيتك بازار العليان ارامكو اتصالات ابوظبي קום сайт рус орг онлайн москва
ком католик дети zuerich zone zippo zip zero zara zappos yun youtube you yokohama yoga
yodobashi yandex yamaxun yahoo yachts xyz xxx xperia xin xihuan xfinity xerox xbox wtf
wtc wow world works work woodside wolterskluwer wme winners wine windows win williamhill
wiki wien whoswho weir weibo wedding wed website weber webcam weatherchannel weather
watches watch warman wanggou wang walter walmart wales vuelos voyage voto voting vote
volvo volkswagen vodka vlaanderen vivo viva vistaprint vista vision visa virgin vip vin
villas viking vig video viajes vet versicherung vermögensberatung vermögensberater
verisign ventures vegas vanguard vana vacations ups uol uno university unicom uconnect
ubs ubank tvs tushu tunes tui tube trv trust travelersinsurance travelers travelchannel
travel training trading trade toys toyota town tours total toshiba toray top tools tokyo
today tmall tkmaxx tjx tjmaxx tirol tires tips tiffany tienda tickets tiaa theatre
theater thd teva tennis temasek telefonica telecity tel technology tech team tdk tci
taxi tax tattoo tatar tatamotors target taobao talk taipei tab systems symantec sydney
swiss swiftcover swatch suzuki surgery surf support supply supplies sucks style study
studio stream store storage stockholm stcgroup stc statoil statefarm statebank starhub
star staples stada srt srl spreadbetting spot sport spiegel space soy sony song
solutions solar sohu software softbank social soccer sncf smile smart sling skype sky
skin ski site singles sina silk shriram showtime show shouji shopping shop shoes shiksha
shia shell shaw sharp shangrila sfr sexy sex sew seven ses services sener select seek
security secure seat search scot scor scjohnson science schwarz schule school
scholarships schmidt schaeffler scb sca sbs sbi saxo save sas sarl sapo sap sanofi
sandvikcoromant sandvik samsung samsclub salon sale sakura safety safe saarland ryukyu
rwe run ruhr rugby rsvp room rogers rodeo rocks rocher rmit rip rio ril rightathome
ricoh richardli rich rexroth reviews review restaurant rest republican report repair
rentals rent ren reliance reit reisen reise rehab redumbrella redstone red recipes
realty realtor realestate read raid radio racing qvc quest quebec qpon pwc pub
prudential pru protection property properties promo progressive prof productions prod
pro prime press praxi pramerica post porn politie poker pohl pnc plus plumbing
playstation play place pizza pioneer pink ping pin pid pictures pictet pics piaget
physio photos photography photo phone philips phd pharmacy pfizer pet pccw pay passagens
party parts partners pars paris panerai panasonic pamperedchef page ovh ott otsuka osaka
origins orientexpress organic org orange oracle open ooo onyourside online onl ong one
omega ollo oldnavy olayangroup olayan okinawa office off observer obi nyc ntt nrw nra
nowtv nowruz now norton northwesternmutual nokia nissay nissan ninja nikon nike nico nhk
ngo nfl nexus nextdirect next news newholland new neustar network netflix netbank net
nec nba navy natura nationwide name nagoya nadex nab mutuelle mutual museum mtr mtpc mtn
msd movistar movie mov motorcycles moto moscow mortgage mormon mopar montblanc monster
money monash mom moi moe moda mobily mobile mobi mma mls mlb mitsubishi mit mint mini
mil microsoft miami metlife merckmsd meo menu men memorial meme melbourne meet media med
mckinsey mcdonalds mcd mba mattel maserati marshalls marriott markets marketing market
map mango management man makeup maison maif madrid macys luxury luxe lupin lundbeck ltda
ltd lplfinancial lpl love lotto lotte london lol loft locus locker loans loan llp llc
lixil living live lipsy link linde lincoln limo limited lilly like lighting lifestyle
lifeinsurance life lidl liaison lgbt lexus lego legal lefrak leclerc lease lds lawyer
law latrobe latino lat lasalle lanxess landrover land lancome lancia lancaster lamer
lamborghini ladbrokes lacaixa kyoto kuokgroup kred krd kpn kpmg kosher komatsu koeln
kiwi kitchen kindle kinder kim kia kfh kerryproperties kerrylogistics kerryhotels kddi
kaufen juniper juegos jprs jpmorgan joy jot joburg jobs jnj jmp jll jlc jio jewelry
jetzt jeep jcp jcb java jaguar iwc iveco itv itau istanbul ist ismaili iselect irish
ipiranga investments intuit international intel int insure insurance institute ink ing
info infiniti industries inc immobilien immo imdb imamat ikano iinet ifm ieee icu ice
icbc ibm hyundai hyatt hughes htc hsbc how house hotmail hotels hoteles hot hosting host
hospital horse honeywell honda homesense homes homegoods homedepot holiday holdings
hockey hkt hiv hitachi hisamitsu hiphop hgtv hermes here helsinki help healthcare health
hdfcbank hdfc hbo haus hangout hamburg hair guru guitars guide guge gucci guardian group
grocery gripe green gratis graphics grainger gov got gop google goog goodyear goodhands
goo golf goldpoint gold godaddy gmx gmo gmbh gmail globo global gle glass glade giving
gives gifts gift ggee george genting gent gea gdn gbiz gay garden gap games game gallup
gallo gallery gal fyi futbol furniture fund fun fujixerox fujitsu ftr frontier frontdoor
frogans frl fresenius free fox foundation forum forsale forex ford football foodnetwork
food foo fly flsmidth flowers florist flir flights flickr fitness fit fishing fish
firmdale firestone fire financial finance final film fido fidelity fiat ferrero ferrari
feedback fedex fast fashion farmers farm fans fan family faith fairwinds fail fage
extraspace express exposed expert exchange everbank events eus eurovision etisalat
esurance estate esq erni ericsson equipment epson epost enterprises engineering engineer
energy emerck email education edu edeka eco eat earth dvr dvag durban dupont duns dunlop
duck dubai dtv drive download dot doosan domains doha dog dodge doctor docs dnp diy dish
discover discount directory direct digital diet diamonds dhl dev design desi dentist
dental democrat delta deloitte dell delivery degree deals dealer deal dds dclk day
datsun dating date data dance dad dabur cyou cymru cuisinella csc cruises cruise crs
crown cricket creditunion creditcard credit cpa courses coupons coupon country corsica
coop cool cookingchannel cooking contractors contact consulting construction condos
comsec computer compare company community commbank comcast com cologne college coffee
codes coach clubmed club cloud clothing clinique clinic click cleaning claims cityeats
city citic citi citadel cisco circle cipriani church chrysler chrome christmas chloe
chintai cheap chat chase charity channel chanel cfd cfa cern ceo center ceb cbs cbre cbn
cba catholic catering cat casino cash caseih case casa cartier cars careers career care
cards caravan car capitalone capital capetown canon cancerresearch camp camera cam
calvinklein call cal cafe cab bzh buzz buy business builders build bugatti budapest
brussels brother broker broadway bridgestone bradesco box boutique bot boston bostik
bosch boots booking book boo bond bom bofa boehringer boats bnpparibas bnl bmw bms blue
bloomberg blog blockbuster blanco blackfriday black biz bio bingo bing bike bid bible
bharti bet bestbuy best berlin bentley beer beauty beats bcn bcg bbva bbt bbc bayern
bauhaus basketball baseball bargains barefoot barclays barclaycard barcelona bar bank
band bananarepublic banamex baidu baby azure axa aws avianca autos auto author auspost
audio audible audi auction attorney athleta associates asia asda arte art arpa army
archi aramco arab aquarelle apple app apartments aol anz anquan android analytics
amsterdam amica amfam amex americanfamily americanexpress alstom alsace ally allstate
allfinanz alipay alibaba alfaromeo akdn airtel airforce airbus aigo aig agency agakhan
africa afl afamilycompany aetna aero aeg adult ads adac actor active aco accountants
accountant accenture academy abudhabi abogado able abc abbvie abbott abb abarth aarp aaa
onion
"""

_CCTLDS = """
한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე ລາວ ไทย ලංකා ഭാരതം ಭಾರತ భారత్ சிங்கப்பூர்
இலங்கை இந்தியா ଭାରତ ભારત ਭਾਰਤ ভাৰত ভারত বাংলা भारोत भारतम् भारत ڀارت پاکستان موريتانيا
مليسيا مصر قطر فلسطين عمان عراق سورية سودان تونس بھارت بارت ایران امارات المغرب السعودية
الجزائر البحرين الاردن հայ қаз укр срб рф мон мкд ею бел бг ευ ελ zw zm za yt ye ws wf
vu vn vi vg ve vc va uz uy us um uk ug ua tz tw tv tt tr tp to tn tm tl tk tj th tg tf
td tc sz sy sx sv su st ss sr so sn sm sl sk sj si sh sg se sd sc sb sa rw ru rs ro re
qa py pw pt ps pr pn pm pl pk ph pg pf pe pa om nz nu nr np no nl ni ng nf ne nc na mz
my mx mw mv mu mt ms mr mq mp mo mn mm ml mk mh mg mf me md mc ma ly lv lu lt ls lr lk
li lc lb la kz ky kw kr kp kn km ki kh kg ke jp jo jm je it is ir iq io in im il ie id
hu ht hr hn hm hk gy gw gu gt gs gr gq gp gn gm gl gi gh gg gf ge gd gb ga fr fo fm fk
fj fi eu et es er eh eg ee ec dz do dm dk dj de cz cy cx cw cv cu cr co cn cm cl ck ci
ch cg cf cd cc ca bz by bw bv bt bs br bq bo bn bm bl bj bi bh bg bf be bd bb ba az ax
aw au at as ar aq ao an am al ai ag af ae ad ac
"""


def _tld_group(names: str) -> str:
    return "(?:(?:" + "|".join(names.split()) + ")(?=[^0-9a-zA-Z@+-]|$))"


class _UrlGrammar:
    """twitter-text's URL patterns, assembled as twitter-text-python assembles them."""

    def __init__(self) -> None:
        gtld, cctld = _tld_group(_GTLDS), _tld_group(_CCTLDS)
        punycode = r"(?:xn--[\-0-9a-z]+)"
        preceding = rf"(?:[^A-Za-z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"
        domain_char = rf"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
        subdomain = rf"(?:(?:{domain_char}(?:[_-]|{domain_char})*)?{domain_char}\.)"
        domain_name = rf"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\.)"
        domain = rf"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|{punycode}))"
        path_char = rf"[a-z{_CYRILLIC}0-9!\*';:=\+,\.\$\/%#\[\]\-\u2013_~@\|&{_LATIN_ACCENTS}]"
        parens = rf"\((?:{path_char}+|(?:{path_char}*\({path_char}+\){path_char}*))\)"
        path_end = rf"[\+\-a-z{_CYRILLIC}0-9=_#\/{_LATIN_ACCENTS}]|(?:{parens})"
        path = rf"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_end})|(?:@{path_char}+/))"
        query_char = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
        query_end = r"[a-z0-9\-_&=#/]"
        self.extract = re.compile(
            rf"(({preceding})((https?:\/\/)?({domain})(?::([0-9]+))?(\/{path}*)?"
            rf"(\?{query_char}*{query_end})?))",
            re.IGNORECASE,
        )
        self.ascii_domain = re.compile(
            rf"(?:(?:[\-a-z0-9{_LATIN_ACCENTS}]+)\.)+(?:{gtld}|{cctld}|{punycode})",
            re.IGNORECASE,
        )
        self.tco = re.compile(
            rf"^https?:\/\/t\.co\/([a-z0-9]+)(?:\?{query_char}*{query_end})?", re.IGNORECASE
        )
        self.bare_preceding = re.compile(r"[-_./]$")


@cache
def _url_grammar() -> _UrlGrammar:
    return _UrlGrammar()


def _idna(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return None


def _valid_url(url: str, protocol: str, domain: str) -> bool:
    ascii_domain = _idna(domain)
    if not ascii_domain:
        return False
    return len(protocol) + len(url) + len(ascii_domain) - len(domain) <= _MAX_URL_LENGTH


def url_entities(text: str) -> list[tuple[int, int, str]]:
    """URLs twitter-text finds in ``text``: ``(start, end, url)`` in code points.

    ``len(url)`` is how far twitter-text skips for it; it can differ from ``end - start``
    for a bare domain with a non-ASCII label (only the ASCII domain counts as the URL).
    """
    if not text or "." not in text:
        return []
    grammar = _url_grammar()
    found: list[tuple[int, int, str]] = []
    for match in grammar.extract.finditer(text):
        before, url, protocol, domain, path = (match.group(i) for i in (2, 3, 4, 5, 7))
        end = match.end()
        start = end - len(url)
        if not _valid_url(url, protocol or "https://", domain):
            continue
        if protocol is None:
            if grammar.bare_preceding.match(before):
                continue
            last: tuple[int, int, str] | None = None
            for ascii_match in grammar.ascii_domain.finditer(domain):
                if last is not None:
                    found.append(last)
                last = (
                    start + ascii_match.start(),
                    start + ascii_match.end(),
                    ascii_match.group(0),
                )
            if last is None:
                continue
            if path:
                last = (last[0], end, url.replace(domain, last[2]))
            found.append(last)
        else:
            tco = grammar.tco.search(url)
            if tco:
                if tco.group(1) and len(tco.group(1)) > _MAX_TCO_SLUG:
                    continue
                url = tco.group(0)
                end = start + len(url)
            found.append((start, end, url))
    return found


def extract_urls(text: str) -> list[str]:
    """The URLs X would link in ``text`` (after NFC, as ``weighted_length`` sees them)."""
    return [url for _, _, url in url_entities(_normalise(text))]


# ---------------------------------------------------------------------------------------------
# Emoji: the sequences of twitter-text's list (Emoji 12.0); single code points need no table,
# they weigh 2 as characters already (but for © and ®).

_ZWJ = "\u200d"
_VS16 = "\ufe0f"
_KEYCAP = "\u20e3"
_TONES = tuple(chr(cp) for cp in range(0x1F3FB, 0x1F400))
_BLACK_FLAG = "\U0001f3f4"
_CANCEL_TAG = "\U000e007f"

# Emoji with a text-style default that take U+FE0F for the emoji style.
_FE0F_BASES = """
A9 AE 203C 2049 2122 2139 2194-2199 21A9-21AA 2328 23CF 23ED-23EF 23F1-23F2 23F8-23FA 24C2
25AA-25AB 25B6 25C0 25FB-25FC 2600-2604 260E 2611 2618 261D 2620 2622-2623 2626 262A
262E-262F 2638-263A 2640 2642 265F-2660 2663 2665-2666 2668 267B 267E 2692 2694-2697 2699
269B-269C 26A0 26B0-26B1 26C8 26CF 26D1 26D3 26E9 26F0-26F1 26F4 26F7-26F9 2702 2708-2709
270C-270D 270F 2712 2714 2716 271D 2721 2733-2734 2744 2747 2763-2764 27A1 2934-2935
2B05-2B07 3030 303D 3297 3299 1F170-1F171 1F17E-1F17F 1F202 1F237 1F321 1F324-1F32C 1F336
1F37D 1F396-1F397 1F399-1F39B 1F39E-1F39F 1F3CB-1F3CE 1F3D4-1F3DF 1F3F3 1F3F5 1F3F7 1F43F
1F441 1F4FD 1F549-1F54A 1F56F-1F570 1F573-1F579 1F587 1F58A-1F58D 1F590 1F5A5 1F5A8
1F5B1-1F5B2 1F5BC 1F5C2-1F5C4 1F5D1-1F5D3 1F5DC-1F5DE 1F5E1 1F5E3 1F5E8 1F5EF 1F5F3 1F5FA
1F6CB 1F6CD-1F6CF 1F6E0-1F6E5 1F6E9 1F6F0 1F6F3
"""

# Emoji that take a skin tone (Emoji_Modifier_Base).
_MODIFIER_BASES = """
261D 26F9 270A-270D 1F385 1F3C2-1F3C4 1F3C7 1F3CA-1F3CC 1F442-1F443 1F446-1F450 1F466-1F469
1F46B-1F46E 1F470-1F478 1F47C 1F481-1F483 1F485-1F487 1F4AA 1F574-1F575 1F57A 1F590
1F595-1F596 1F645-1F647 1F64B-1F64F 1F6A3 1F6B4-1F6B6 1F6C0 1F6CC 1F90F 1F918-1F91C
1F91E-1F91F 1F926 1F930-1F939 1F93D-1F93E 1F9B5-1F9B6 1F9B8-1F9B9 1F9BB 1F9CD-1F9CF
1F9D1-1F9DD
"""

# Flags: pairs of regional indicators for these regions.
_FLAG_REGIONS = """
AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CR CU CV CW CX CY CZ DE DG DJ DK
DM DO DZ EA EC EE EG EH ER ES ET EU FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ
GR GS GT GU GW GY HK HM HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX
SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM UN US UY UZ VA VC VE VG VI
VN VU WF WS XK YE YT ZA ZM ZW
"""
# Subdivision flags: U+1F3F4, these letters as tag characters, U+E007F.
_TAG_FLAGS = ("gbeng", "gbsct", "gbwls")


# ZWJ sequences of Emoji 12.0 without U+FE0F and skin tones: elements joined by U+200D.
_ZWJ_SKELETONS = """
26F9+2640 26F9+2642 1F3C3+2640 1F3C3+2642 1F3C4+2640 1F3C4+2642 1F3CA+2640 1F3CA+2642
1F3CB+2640 1F3CB+2642 1F3CC+2640 1F3CC+2642 1F3F3+1F308 1F3F4+2620 1F415+1F9BA
1F441+1F5E8 1F468+2695 1F468+2696 1F468+2708 1F468+2764+1F468 1F468+2764+1F48B+1F468
1F468+1F33E 1F468+1F373 1F468+1F393 1F468+1F3A4 1F468+1F3A8 1F468+1F3EB 1F468+1F3ED
1F468+1F466 1F468+1F466+1F466 1F468+1F467 1F468+1F467+1F466 1F468+1F467+1F467
1F468+1F468+1F466 1F468+1F468+1F466+1F466 1F468+1F468+1F467 1F468+1F468+1F467+1F466
1F468+1F468+1F467+1F467 1F468+1F469+1F466 1F468+1F469+1F466+1F466 1F468+1F469+1F467
1F468+1F469+1F467+1F466 1F468+1F469+1F467+1F467 1F468+1F4BB 1F468+1F4BC 1F468+1F527
1F468+1F52C 1F468+1F680 1F468+1F692 1F468+1F9AF 1F468+1F9B0 1F468+1F9B1 1F468+1F9B2
1F468+1F9B3 1F468+1F9BC 1F468+1F9BD 1F469+2695 1F469+2696 1F469+2708 1F469+2764+1F468
1F469+2764+1F469 1F469+2764+1F48B+1F468 1F469+2764+1F48B+1F469 1F469+1F33E 1F469+1F373
1F469+1F393 1F469+1F3A4 1F469+1F3A8 1F469+1F3EB 1F469+1F3ED 1F469+1F466
1F469+1F466+1F466 1F469+1F467 1F469+1F467+1F466 1F469+1F467+1F467 1F469+1F469+1F466
1F469+1F469+1F466+1F466 1F469+1F469+1F467 1F469+1F469+1F467+1F466
1F469+1F469+1F467+1F467 1F469+1F4BB 1F469+1F4BC 1F469+1F527 1F469+1F52C 1F469+1F680
1F469+1F692 1F469+1F9AF 1F469+1F9B0 1F469+1F9B1 1F469+1F9B2 1F469+1F9B3 1F469+1F9BC
1F469+1F9BD 1F46E+2640 1F46E+2642 1F46F+2640 1F46F+2642 1F471+2640 1F471+2642 1F473+2640
1F473+2642 1F477+2640 1F477+2642 1F481+2640 1F481+2642 1F482+2640 1F482+2642 1F486+2640
1F486+2642 1F487+2640 1F487+2642 1F575+2640 1F575+2642 1F645+2640 1F645+2642 1F646+2640
1F646+2642 1F647+2640 1F647+2642 1F64B+2640 1F64B+2642 1F64D+2640 1F64D+2642 1F64E+2640
1F64E+2642 1F6A3+2640 1F6A3+2642 1F6B4+2640 1F6B4+2642 1F6B5+2640 1F6B5+2642 1F6B6+2640
1F6B6+2642 1F926+2640 1F926+2642 1F937+2640 1F937+2642 1F938+2640 1F938+2642 1F939+2640
1F939+2642 1F93C+2640 1F93C+2642 1F93D+2640 1F93D+2642 1F93E+2640 1F93E+2642 1F9B8+2640
1F9B8+2642 1F9B9+2640 1F9B9+2642 1F9CD+2640 1F9CD+2642 1F9CE+2640 1F9CE+2642 1F9CF+2640
1F9CF+2642 1F9D1+1F91D+1F9D1 1F9D6+2640 1F9D6+2642 1F9D7+2640 1F9D7+2642 1F9D8+2640
1F9D8+2642 1F9D9+2640 1F9D9+2642 1F9DA+2640 1F9DA+2642 1F9DB+2640 1F9DB+2642 1F9DC+2640
1F9DC+2642 1F9DD+2640 1F9DD+2642 1F9DE+2640 1F9DE+2642 1F9DF+2640 1F9DF+2642
"""

# Two people holding hands with two skin tones (first, second): which pairs Emoji 12.0 has.
_HANDSHAKES: tuple[tuple[int, int, str], ...] = (
    (0x1F468, 0x1F468, ">"),
    (0x1F469, 0x1F469, ">"),
    (0x1F469, 0x1F468, "!="),
    (0x1F9D1, 0x1F9D1, ">="),
)


def _code_points(table: str) -> frozenset[int]:
    points: set[int] = set()
    for item in table.split():
        first, _, last = item.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def _fe0f_variants(elements: Sequence[str], fe0f_bases: frozenset[int]) -> set[str]:
    """ZWJ-joined ``elements`` with U+FE0F after those that take it, or any of them left out."""
    variants = {""}
    for index, element in enumerate(elements):
        joiner = _ZWJ if index else ""
        options = [element]
        if ord(element[-1]) in fe0f_bases:
            options.append(element + _VS16)
        variants = {v + joiner + option for v in variants for option in options}
    return variants


@cache
def emoji_sequences() -> frozenset[str]:
    """Every multi-code-point emoji twitter-text counts as one (2): Emoji 12.0's list."""
    fe0f_bases = _code_points(_FE0F_BASES)
    modifier_bases = _code_points(_MODIFIER_BASES)
    found: set[str] = set()
    found.update(chr(cp) + _VS16 for cp in fe0f_bases)
    found.update(chr(cp) + tone for cp in modifier_bases for tone in _TONES)
    for key in "#*0123456789":
        found.update((key + _KEYCAP, key + _VS16 + _KEYCAP))
    found.update(
        "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in region)
        for region in _FLAG_REGIONS.split()
    )
    found.update(
        _BLACK_FLAG + "".join(chr(0xE0000 + ord(c)) for c in tag) + _CANCEL_TAG
        for tag in _TAG_FLAGS
    )
    for skeleton in _ZWJ_SKELETONS.split():
        elements = [chr(int(cp, 16)) for cp in skeleton.split("+")]
        untoned = _fe0f_variants(elements, fe0f_bases)
        found.update(untoned)
        first = ord(elements[0])
        if first in modifier_bases and not any(ord(e) in modifier_bases for e in elements[1:]):
            # One person: a skin tone goes right after the first element (in place of FE0F).
            for variant in untoned:
                rest = variant[1:].removeprefix(_VS16)
                found.update(variant[0] + tone + rest for tone in _TONES)
    handshake = _ZWJ + "\U0001f91d" + _ZWJ
    for left, right, rule in _HANDSHAKES:
        for a, tone_a in enumerate(_TONES):
            for b, tone_b in enumerate(_TONES):
                if (
                    (rule == ">" and a > b)
                    or (rule == ">=" and a >= b)
                    or (rule == "!=" and a != b)
                ):
                    found.add(chr(left) + tone_a + handshake + chr(right) + tone_b)
    return frozenset(found)


@cache
def _emoji_index() -> tuple[frozenset[str], int]:
    sequences = emoji_sequences()
    return frozenset(s[0] for s in sequences), max(len(s) for s in sequences)


def emoji_entities(text: str) -> list[tuple[int, int]]:
    """Multi-code-point emoji in ``text``, ``(start, end)``, scanned as twitter-text does
    (left to right, the longest listed sequence at each position)."""
    firsts, longest = _emoji_index()
    sequences = emoji_sequences()
    found: list[tuple[int, int]] = []
    index, size = 0, len(text)
    while index < size:
        if text[index] in firsts:
            for length in range(min(longest, size - index), 1, -1):
                if text[index : index + length] in sequences:
                    found.append((index, index + length))
                    index += length
                    break
            else:
                index += 1
        else:
            index += 1
    return found


# ---------------------------------------------------------------------------------------------
# Weighted length


def _normalise(text: str) -> str:
    """NFC, line endings folded to ``\\n`` (as twitter-text-python does before counting)."""
    return re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))


def _char_weight(char: str) -> int:
    if char in _LIGHT_EMOJI:
        return 2
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _LIGHT) else 2


def weighted_length(text: str) -> int:
    """The length X counts toward the 280 limit (twitter-text v3; see the module notes)."""
    nfc = unicodedata.normalize("NFC", text)
    normal = _normalise(nfc)
    urls = {start: len(url) for start, _, url in url_entities(normal)}
    emoji = {start: end - start for start, end in emoji_entities(normal)}
    total, index, size = 0, 0, len(normal)
    while index < size:
        if index in urls:
            total += URL_WEIGHT
            index += urls[index]
        elif index in emoji:
            total += 2
            index += emoji[index]
        else:
            total += _char_weight(normal[index])
            index += 1
    return total + nfc.count("\r\n")  # twitter-text-python folds CRLF; count it as two


# ---------------------------------------------------------------------------------------------
# Cutting to fit


def _cut_points(text: str) -> list[int]:
    """Where ``text`` may be cut: grapheme breaks outside every URL and emoji."""
    blocked: set[int] = set()
    for start, end, url in url_entities(text):
        blocked.update(range(start + 1, max(end, start + len(url))))
    for start, end in emoji_entities(text):
        blocked.update(range(start + 1, end))
    return [point for point in grapheme_breaks(text) if point not in blocked]


_TRAILING = " \t\n,;:.-–—(["


def _ending(text: str, cut: int, url_ends: set[int]) -> str:
    """``text[:cut]`` and "…": trailing spaces and punctuation go, but never from a URL, and a
    URL at the end is kept apart from the ellipsis."""
    floor = max((end for end in url_ends if end <= cut), default=0)
    kept = text[:floor] + text[floor:cut].rstrip(_TRAILING)
    if floor and len(kept) == floor:
        return kept + " " + ELLIPSIS
    return kept + ELLIPSIS


def fit(text: str, limit: int = MAX_WEIGHTED) -> str:
    """``text`` if it fits ``limit``; else NFC ``text`` cut with "…" so it does, never inside
    a URL, an emoji or a grapheme, at a word boundary when one is not too far back."""
    if weighted_length(text) <= limit:
        return text
    if limit < weighted_length(ELLIPSIS):
        return ""
    normal = _normalise(text)
    points = _cut_points(normal)
    url_ends = {end for _, end, _ in url_entities(normal)}

    def fits(cut: int) -> bool:
        return weighted_length(_ending(normal, cut, url_ends)) <= limit

    low, high = 0, len(points) - 1  # points[low] fits (the ellipsis alone), points[high] not
    while high - low > 1:
        middle = (low + high) // 2
        if fits(points[middle]):
            low = middle
        else:
            high = middle
    best = points[low]
    for point in reversed(points[: low + 1]):
        if point <= best // 2:
            break
        if normal[point - 1 : point].isspace() or (point < len(normal) and normal[point] == " "):
            if fits(point):
                best = point
            break
    return _ending(normal, best, url_ends)


# ---------------------------------------------------------------------------------------------
# Digests

_MENTION = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])([@＠])(?=[A-Za-z0-9_])")
# A dot with a letter after it: the only way a domain (hence a URL) can appear in text.
_DOMAIN_DOT = re.compile(r"(?<=\S)\.(?=[^\W\d_])")
_ONE_DOT_LEADER = "\u2024"
_KEPT_FORMAT = frozenset("\u200c\u200d")


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    if category in ("Cc", "Cs"):
        return False
    if category == "Cf":
        return char in _KEPT_FORMAT or 0xE0020 <= ord(char) <= 0xE007F
    point = ord(char)
    return not (0xFDD0 <= point <= 0xFDEF or (point & 0xFFFE) == 0xFFFE)


def clean(text: str, *, one_link: bool = False) -> str:
    """Feed text made safe for a post: one line, no control or invisible format characters,
    no mentions (``@name`` gets a zero-width space after the ``@``) and, with ``one_link``,
    nothing X would turn into a link (the dot before a domain's last label becomes U+2024)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if char.isspace() else char for char in text if char.isspace() or _keep(char)
    )
    text = _MENTION.sub("\\1\u200b", unicodedata.normalize("NFC", collapse(text)))
    if one_link:
        text = _DOMAIN_DOT.sub(_ONE_DOT_LEADER, text)
    return text


def _compose(head: str, body: str, tail: str, limit: int = MAX_WEIGHTED) -> str:
    """``head body tail`` within ``limit``, cutting ``body`` (dropped if little would be left)
    and, if even that is not enough, ``head``. ``tail`` is kept whole."""
    fixed = weighted_length(head) + weighted_length(tail)
    budget = limit - fixed - 1
    while body and budget >= MIN_BODY:
        text = f"{head} {fit(body, budget)}{tail}"
        over = weighted_length(text) - limit
        if over <= 0:
            return text
        budget -= over
    head = head.rstrip(":")
    text = head + tail
    if weighted_length(text) <= limit:
        return text
    room = limit - weighted_length(tail)
    while room > 0:
        text = fit(head, room) + tail
        over = weighted_length(text) - limit
        if over <= 0:
            return text
        room -= over
    return fit(tail.strip(), limit)


def _title(item: DigestItem) -> str:
    paper = item.papers[0] if item.papers else None
    if paper is not None:
        return paper.title or paper.key
    return item.summary.title or "(untitled)"


def _item_text(
    item: DigestItem, *, one_link: bool, link: str | None, more: int, generic_more: bool = False
) -> str:
    summary = item.summary
    paper = item.papers[0] if item.papers else None
    title = fit(clean(_title(item), one_link=one_link), TITLE_BUDGET) or "(untitled)"
    if one_link and paper is not None and paper.arxiv_id:
        title += f" (arXiv {clean(paper.arxiv_id, one_link=True)})"
    author = fit(clean(summary.author, one_link=one_link), AUTHOR_BUDGET) or "anonymous"
    votes = f" ({plural(summary.votes, 'vote', 'votes')})" if summary.votes is not None else ""
    head = f"{title} — summary by {author}{votes}:"
    body = clean(summary_excerpt(summary, EXCERPT_CHARS), one_link=one_link)
    tail = f" — and {plural(more, 'more summary', 'more summaries')}" if more else ""
    if more and generic_more:
        tail = f" — and {more} more"
    if link:
        tail += f" {link}"
    return _compose(head, body, tail)


def _paper_text(item: PaperItem, *, one_link: bool, link: str | None, more: int) -> str:
    paper = item.paper
    title = fit(clean(paper.title or paper.key, one_link=one_link), TITLE_BUDGET) or "(untitled)"
    tags = clean(announcement_tags(item).replace("arXiv:", "arXiv "), one_link=one_link)
    authors = fit(clean(paper_authors(paper), one_link=one_link), AUTHOR_BUDGET)
    head = f"New on arXiv: {title} ({tags})" + (f" by {authors}" if authors else "") + ":"
    body = clean(text_excerpt(paper.abstract or "", EXCERPT_CHARS), one_link=one_link)
    tail = f" — and {more} more" if more else ""
    if link:
        tail += f" {link}"
    return _compose(head, body, tail)


def _head_text(digest: Digest, *, one_link: bool, digest_url: str) -> str:
    parts = []
    if digest.items:
        parts.append(plural(len(digest.items), "new summary", "new summaries") + " on ShortScience")
    if digest.papers:
        parts.append(papers_heading(len(digest.papers)))
    head = " and ".join(parts) + ":"
    titles = "; ".join(clean(title, one_link=one_link) for title in head_titles(digest))
    tail = f" — and {digest.more} more" if digest.more else ""
    if digest_url:
        tail += f" {digest_url}"
    return _compose(head, titles, tail)


def _summary_link(item: DigestItem) -> str | None:
    if item.summary.url:
        return item.summary.url
    paper = item.papers[0] if item.papers else None
    return paper.url if paper is not None else None


def post_key(destination: str, kind: str, items: Iterable[str]) -> str:
    """A stable idempotency key: the same items on the same destination give the same key."""
    material = "\x1f".join(("x", destination, kind, *items))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]


def _item_key(item: DigestItem) -> str:
    return f"summary:{item.summary.id}"


def _payload(text: str, reply_to: int | None) -> dict[str, object]:
    if reply_to is None:
        return {"text": text}
    return {"text": text, "reply": {"in_reply_to_post_index": reply_to}}


def render_digest(
    digest: Digest,
    *,
    destination: str,
    mode: Mode,
    link_mode: LinkMode,
    digest_url: str,
) -> list[Post]:
    """A digest as X posts, in the order they must be sent.

    ``per-item``: one post per summary, "{title} — summary by {author} ({votes} votes):
    {excerpt} {summary url}", then one per new paper, "New on arXiv: {title} ({arXiv id,
    categories}) by {authors}: {abstract} {arXiv url}". ``thread``: a head post, "{N} new
    summaries on ShortScience and {M} new papers on arXiv: {titles} {digest url}", carrying no
    item, then one reply per summary and per paper, each answering the post before it. With
    ``one-link`` the head (or the first post) carries ``digest_url`` and no other post carries
    any URL (arXiv ids become plain text, "arXiv 1312.6199"). Leftover items (``digest.more``)
    are mentioned in the head or in the last post. Every text is at most 280 as X counts it.
    """
    if digest.empty:
        return []
    one_link = link_mode == "one-link"
    entries: list[tuple[str, Callable[[str | None, int], str], str | None]] = []
    for item in digest.items:
        entries.append(
            (
                _item_key(item),
                partial(_item_or_more, item, one_link=one_link, papers=bool(digest.papers)),
                _summary_link(item),
            )
        )
    for paper in digest.papers:
        entries.append(
            (paper.key, partial(_paper_or_more, paper, one_link=one_link), paper.paper.url)
        )
    posts: list[Post] = []
    if mode == "thread":
        keys = tuple(key for key, _, _ in entries)
        head = _head_text(digest, one_link=one_link, digest_url=digest_url)
        posts.append(Post(post_key(destination, "thread", keys), (), _payload(head, None)))
        for key, text_of, own_link in entries:
            text = text_of(None if one_link else own_link, 0)
            previous = len(posts) - 1
            item_post = post_key(destination, "item", (key,))
            posts.append(Post(item_post, (key,), _payload(text, previous), previous))
        return posts
    for index, (key, text_of, own_link) in enumerate(entries):
        first_link = digest_url if index == 0 else None
        link = first_link if one_link else own_link
        more = digest.more if index == len(entries) - 1 else 0
        text = text_of(link, more)
        posts.append(Post(post_key(destination, "item", (key,)), (key,), _payload(text, None)))
    return posts


def _item_or_more(
    item: DigestItem, link: str | None, more: int, *, one_link: bool, papers: bool
) -> str:
    return _item_text(item, one_link=one_link, link=link, more=more, generic_more=papers)


def _paper_or_more(item: PaperItem, link: str | None, more: int, *, one_link: bool) -> str:
    return _paper_text(item, one_link=one_link, link=link, more=more)
