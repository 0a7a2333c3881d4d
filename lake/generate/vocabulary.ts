/** Words the generator builds names from; unicode, quotes and ampersands included on purpose. */
export const TITLE_WORDS = [
  'Love', 'Night', 'Fire', 'Heart', 'Rain', 'Dance', 'Blue', 'Dream', 'Road', 'Stars', 'Moon', 'Summer', 'Ghost',
  'River', 'Gold', 'Wild', 'Electric', 'Silent', 'Coração', 'Noche', 'Été', 'Ça Va', 'Don\'t Stop', '"Live"', 'Über',
  'Fjörd', 'Tokyo', 'Mañana', 'Żółw', 'Sérénade',
];
export const ARTIST_WORDS = [
  'The', 'Black', 'Velvet', 'Kings', 'Sisters', 'Orchestra', 'Band', 'Project', 'Sound', 'Collective', 'Björk',
  'Motörhead', 'Sigur', 'Rós', 'Los', 'Lobos', 'DJ', 'MC', '& Friends', 'Quartet',
];
export const FIRST_NAMES = ['Kaylee', 'Walter', 'Lily', 'Jacob', 'Chloe', 'Tegan', 'Aleena', 'Ryan', 'Jayden', 'Zoë', 'Renée', 'O\'Neil', 'Mohammad', 'Sara', 'Ava', 'Noah'];
export const LAST_NAMES = ['Summers', 'Frye', 'Koch', 'Klein', 'Cuevas', 'Levine', 'Kirby', 'Smith', 'Bell', 'Müller', 'O\'Brien', 'García', 'Nguyen', 'Stewart'];
export const LOCATIONS = [
  'San Francisco-Oakland-Hayward, CA', 'Phoenix-Mesa-Scottsdale, AZ', 'New York-Newark-Jersey City, NY-NJ-PA',
  'Chicago-Naperville-Elgin, IL-IN-WI', 'Atlanta-Sandy Springs-Roswell, GA', 'Portland-Vancouver-Hillsboro, OR-WA',
  'Lansing-East Lansing, MI', 'Tampa-St. Petersburg-Clearwater, FL',
];
export const ARTIST_LOCATIONS = ['London, England', 'Chicago, IL', 'Reykjavík, Iceland', 'São Paulo, Brazil', 'Berlin, Germany', '', 'Tokyo, Japan'];
export const USER_AGENTS = [
  '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"',
  '"Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0"',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0',
  '"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53"',
];
/** Pages other than NextSong, with rough relative weights taken from the simulator's output. */
export const OTHER_PAGES: readonly [string, number][] = [
  ['Home', 10], ['Thumbs Up', 5], ['Add to Playlist', 3], ['Logout', 2], ['Settings', 1], ['Downgrade', 1],
  ['Thumbs Down', 1], ['Help', 1], ['About', 0.5], ['Upgrade', 0.5], ['Error', 0.1],
];
