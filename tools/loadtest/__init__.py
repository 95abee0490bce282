"""Load testing the app through Streamlit's own websocket protocol (see ``bench/load_test.py``).

protocol      one browser session: the websocket, BackMsg/ForwardMsg, widget states, uploads
localhttp     the few HTTP requests a browser makes besides the websocket (health + XSRF cookie, upload PUT/DELETE)
payloads      sentences and image files for the simulated students (some files deliberately bad)
student       what one simulated student does, bounded in actions and time
server_stats  RSS and CPU time of the server process tree, from /proc
runner        a whole run: warm-up, baseline, students, session cleanup; the report

Everything talks to 127.0.0.1 only.
"""
