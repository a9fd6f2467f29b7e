from jingfen.cli import main

main()
