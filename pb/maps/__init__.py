"""Maps: where projects are and what each district covers, drawn by Leaflet served from pb's own static files."""
