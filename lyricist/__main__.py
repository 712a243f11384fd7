from lyricist.app.cli import main

main()
