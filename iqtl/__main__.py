from iqtl.cli import main

main()
